/**
 * An unbounded in-memory storage adapter for the oidc-provider peer. The library's own
 * development adapter is an LRU of 1000 entries, which evicts grants and refresh tokens under
 * load and would turn the peer's refresh runs into errors. A plain Map with expiry is the
 * peer's best case (no I/O at all), which keeps every "× peer" ratio conservative.
 */

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number };

interface Entry {
  payload: Payload;
  expiresAt: number;
}

const entries = new Map<string, Entry>();
const grants = new Map<string, Set<string>>();
const byUid = new Map<string, string>();
const byUserCode = new Map<string, string>();

function live(key: string): Payload | undefined {
  const e = entries.get(key);
  if (!e) return undefined;
  if (e.expiresAt <= Date.now()) {
    entries.delete(key);
    return undefined;
  }
  return e.payload;
}

export class MapAdapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    if (payload.grantId) {
      const members = grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      grants.set(payload.grantId, members);
    }
    if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, id);
    if (payload.userCode) byUserCode.set(payload.userCode, id);
  }

  async find(id: string): Promise<Payload | undefined> {
    return live(this.key(id));
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = byUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of grants.get(grantId) ?? []) entries.delete(key);
    grants.delete(grantId);
  }
}
