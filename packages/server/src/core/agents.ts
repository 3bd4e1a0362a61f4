/** The sample protected resource: agents owned by an account. */
import { publicId } from './credentials.js';
import type { Runtime } from './runtime.js';
import { notFound } from './errors.js';
import type { AgentRecord } from '../store/store.js';

export interface AgentFields {
  name: string;
  description?: string | undefined;
}

export async function createAgent(ctx: Runtime, ownerId: string, fields: AgentFields): Promise<AgentRecord> {
  const now = ctx.clock.now();
  const agent: AgentRecord = {
    id: publicId('agt_'),
    ownerId,
    name: fields.name,
    description: fields.description ?? '',
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.createAgent(agent);
  return agent;
}

export async function getAgent(ctx: Runtime, ownerId: string, id: string): Promise<AgentRecord> {
  const agent = await ctx.store.getAgent(ownerId, id);
  if (!agent) throw notFound('Agent not found');
  return agent;
}

export async function updateAgent(ctx: Runtime, ownerId: string, id: string, patch: { name?: string | undefined; description?: string | undefined }): Promise<AgentRecord> {
  const agent = await ctx.store.updateAgent(ownerId, id, {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    updatedAt: ctx.clock.now(),
  });
  if (!agent) throw notFound('Agent not found');
  return agent;
}

export async function deleteAgent(ctx: Runtime, ownerId: string, id: string): Promise<void> {
  if (!(await ctx.store.deleteAgent(ownerId, id))) throw notFound('Agent not found');
}
