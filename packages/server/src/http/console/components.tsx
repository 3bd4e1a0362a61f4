/**
 * What the console pages share: how a date reads, the panel that shows a new secret its one
 * time, and which errors a form shows in place instead of on the error page.
 */

/** A UTC minute (`2026-03-01 09:00`), or '—' for never: short enough for a table cell. */
export const formatDate = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));
