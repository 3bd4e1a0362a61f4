/**
 * The sample API's own storage: per-owner isolation, creation order, updates that never change
 * a record a caller already holds, and the bounds that keep it from growing without limit.
 */
import { describe, expect, it } from 'vitest';
import { AgentBook, DEFAULT_AGENT_LIMITS } from '../../src/sample/agent-book.js';

const T0 = Date.UTC(2026, 0, 1);

const created = (book: AgentBook, owner: string, name: string, at = T0) => {
  const outcome = book.create(owner, { name }, at);
  if (outcome.status !== 'created') throw new Error(`not created: ${outcome.status}`);
  return outcome.agent;
};

describe('AgentBook', () => {
  it('keeps each owner to its own agents, listed oldest first', () => {
    const book = new AgentBook();
    const [a1, b1, a2] = [created(book, 'usr_a', 'one'), created(book, 'usr_b', 'three'), created(book, 'usr_a', 'two', T0 + 1)];
    expect(a1).toEqual({ id: expect.stringMatching(/^agt_/), ownerId: 'usr_a', name: 'one', description: '', createdAt: T0, updatedAt: T0 });
    expect(book.list('usr_a')).toEqual([a1, a2]);
    expect(book.list('usr_b')).toEqual([b1]);
    expect(book.list('usr_nobody')).toEqual([]);
    expect(book.get('usr_a', a1.id)).toEqual(a1);
    expect(book.get('usr_b', a1.id)).toBeUndefined();
    expect(book.update('usr_b', a1.id, { name: 'stolen' }, T0 + 9)).toBeUndefined();
    expect(book.delete('usr_b', a1.id)).toBe(false);
    expect(book.get('usr_a', a1.id)).toEqual(a1);
  });

  it('updates only the given fields, keeps the list order and leaves earlier reads as they were', () => {
    const book = new AgentBook();
    const [first, second] = [created(book, 'usr_a', 'one'), created(book, 'usr_a', 'two')];
    const renamed = book.update('usr_a', first.id, { name: 'renamed' }, T0 + 10);
    expect(renamed).toEqual({ ...first, name: 'renamed', updatedAt: T0 + 10 });
    expect(book.update('usr_a', first.id, { description: 'new' }, T0 + 11)).toEqual({ ...first, name: 'renamed', description: 'new', updatedAt: T0 + 11 });
    expect(first.name).toBe('one');
    expect(book.list('usr_a').map((a) => a.id)).toEqual([first.id, second.id]);
    expect(book.update('usr_a', 'agt_missing', { name: 'x' }, T0)).toBeUndefined();
  });

  it('deletes once', () => {
    const book = new AgentBook();
    const [first, second] = [created(book, 'usr_a', 'one'), created(book, 'usr_a', 'two')];
    expect(book.delete('usr_a', first.id)).toBe(true);
    expect(book.delete('usr_a', first.id)).toBe(false);
    expect(book.list('usr_a')).toEqual([second]);
  });

  it('refuses past the per-owner bound, and past the total bound, until agents are deleted', () => {
    const book = new AgentBook({ perOwner: 2, total: 3 });
    const a1 = created(book, 'usr_a', 'a1');
    created(book, 'usr_a', 'a2');
    expect(book.create('usr_a', { name: 'a3' }, T0)).toEqual({ status: 'owner-full' });
    created(book, 'usr_b', 'b1');
    expect(book.create('usr_c', { name: 'c1' }, T0)).toEqual({ status: 'full' });
    expect(book.delete('usr_a', a1.id)).toBe(true);
    expect(created(book, 'usr_c', 'c1').ownerId).toBe('usr_c');
    expect(book.create('usr_a', { name: 'a3' }, T0)).toEqual({ status: 'full' });
  });

  it('is bounded by default', () => {
    expect(DEFAULT_AGENT_LIMITS).toEqual({ perOwner: 1_000, total: 10_000 });
    expect(new AgentBook().limits).toBe(DEFAULT_AGENT_LIMITS);
  });
});
