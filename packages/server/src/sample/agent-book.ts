/**
 * Where the sample API keeps its agents: in this process's memory, one map per owner. The
 * sample shows how a resource server authenticates and checks scopes, not how it stores its
 * data, so it keeps none of it in Gatehouse's own database: agents are lost on restart, and
 * each instance of a deployment with several has its own. A real resource server keeps its
 * resources in its own storage.
 *
 * Memory is bounded, so no caller can grow the process without limit: at most
 * `perOwner` agents per account (default 1,000) and `total` in all (default 10,000); names and
 * descriptions are bounded by the API's schema.
 */
import { publicId } from '../core/credentials.js';

export interface Agent {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface AgentLimits {
  perOwner: number;
  total: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = { perOwner: 1_000, total: 10_000 };

export type CreateOutcome = { status: 'created'; agent: Agent } | { status: 'owner-full' } | { status: 'full' };

export class AgentBook {
  /** Owner → agents by id; a Map keeps insertion order, so lists come out oldest first. */
  private readonly owners = new Map<string, Map<string, Agent>>();
  private count = 0;

  constructor(readonly limits: AgentLimits = DEFAULT_AGENT_LIMITS) {}

  list(ownerId: string): Agent[] {
    return [...(this.owners.get(ownerId)?.values() ?? [])];
  }

  get(ownerId: string, id: string): Agent | undefined {
    return this.owners.get(ownerId)?.get(id);
  }

  create(ownerId: string, fields: { name: string; description?: string | undefined }, now: number): CreateOutcome {
    const mine = this.owners.get(ownerId) ?? new Map<string, Agent>();
    if (mine.size >= this.limits.perOwner) return { status: 'owner-full' };
    if (this.count >= this.limits.total) return { status: 'full' };
    const agent: Agent = { id: publicId('agt_'), ownerId, name: fields.name, description: fields.description ?? '', createdAt: now, updatedAt: now };
    mine.set(agent.id, agent);
    this.owners.set(ownerId, mine);
    this.count++;
    return { status: 'created', agent };
  }

  /** The updated agent, or undefined when the owner has no agent with this id. */
  update(ownerId: string, id: string, patch: { name?: string | undefined; description?: string | undefined }, now: number): Agent | undefined {
    const mine = this.owners.get(ownerId);
    const current = mine?.get(id);
    if (!mine || !current) return undefined;
    // A new object, never a changed one: a list read earlier keeps what it saw.
    const next: Agent = {
      ...current,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updatedAt: now,
    };
    mine.set(id, next);
    return next;
  }

  delete(ownerId: string, id: string): boolean {
    const mine = this.owners.get(ownerId);
    if (!mine?.delete(id)) return false;
    this.count--;
    if (mine.size === 0) this.owners.delete(ownerId);
    return true;
  }
}
