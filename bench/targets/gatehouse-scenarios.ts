/**
 * What is measured on Gatehouse, per backend: the hot scenarios on one server process (one
 * seeded key), the OAuth scenarios when the routes exist, then the cold-cache scenario on fresh
 * processes, first with the small key set and then with the large one.
 */
import { flowsFor } from './gatehouse-flows.js';
import { type Backend, type Database, type GatehouseCommand, checkKey, createDatabase, seed, startGatehouse, v0Token } from './gatehouse.js';
import { probeOAuth } from './gatehouse-oauth.js';
import { randomCredential } from './flows.js';
import type { ServerProcess } from '../harness/proc.js';
import { type Row, type Scenario, failed, formatCount, pending } from '../harness/report.js';
import { type RunContext, type Task, measureRow, runTasks, wants } from '../harness/tasks.js';

const HOT = ['verify-key', 'verify-jwt', 'v0-auth', 'refresh', 'introspect', 'code-flow'] as const;
const OAUTH = ['refresh', 'introspect', 'code-flow'] as const;

export async function runGatehouse(ctx: RunContext, backend: Backend, command: GatehouseCommand): Promise<Row[]> {
  let db: Database;
  try {
    db = await createDatabase(backend);
  } catch (err) {
    const reason = `cannot create a ${backend} database: ${(err as Error).message}`;
    ctx.log(reason);
    return [...HOT, 'verify-key-cold' as const].filter((s) => wants(ctx, s)).map((s) => failed(s, backend, reason));
  }
  const start = (name: string) => startGatehouse({ command, db, pinning: ctx.pinning, logLevel: ctx.opts.logLevel, profileDir: ctx.profileDir, name: `gatehouse-${backend}-${name}` });
  const rows: Row[] = [];
  try {
    if (HOT.some((s) => wants(ctx, s))) rows.push(...(await hot(ctx, backend, db, start)));
    if (wants(ctx, 'verify-key-cold')) rows.push(...(await cold(ctx, backend, db, start)));
  } finally {
    await db.cleanup();
  }
  return rows;
}

async function hot(ctx: RunContext, backend: Backend, db: Database, start: (name: string) => Promise<ServerProcess>): Promise<Row[]> {
  const key = (await seed(db, 1, 'bench@example.com')).keys[0]!;
  const bearerKey = `Bearer ${key.secret}`;
  const tasks: Task[] = [];
  const task = (scenario: Scenario, run: (server: ServerProcess) => Promise<Row>) => {
    if (wants(ctx, scenario)) tasks.push({ name: scenario, run: async (server) => [await run(server)] });
  };
  task('verify-key', async (server) => {
    await checkKey(server.url, bearerKey);
    return measureRow(ctx, server, { scenario: 'verify-key', target: backend }, { method: 'GET', path: '/v1/agents', headers: { authorization: bearerKey }, expect: [200] });
  });
  task('verify-jwt', (server) =>
    measureRow(ctx, server, { scenario: 'verify-jwt', target: backend }, async () => {
      const bearerJwt = `Bearer ${await v0Token(server.url, key)}`;
      await checkKey(server.url, bearerJwt);
      return { method: 'GET', path: '/v1/agents', headers: { authorization: bearerJwt }, expect: [200] };
    }),
  );
  task('v0-auth', (server) => {
    const body = JSON.stringify({ key_id: key.keyId, key_secret: key.secret, scopes: ['read'] });
    return measureRow(ctx, server, { scenario: 'v0-auth', target: backend }, { method: 'POST', path: '/v0/auth', headers: { 'content-type': 'application/json' }, body, expect: [200] });
  });
  const flows = flowsFor(ctx, db);
  for (const scenario of OAUTH) {
    task(scenario, async (server) => {
      const probe = await probeOAuth(server.url);
      if (!probe.available) {
        ctx.log(`  ${scenario} on ${backend}: pending, ${probe.reason}`);
        return pending(scenario, backend, probe.reason);
      }
      return measureRow(ctx, server, flows[scenario].row, () => flows[scenario].spec(server.url));
    });
  }
  return runTasks(ctx, start, tasks);
}

async function cold(ctx: RunContext, backend: Backend, db: Database, start: (name: string) => Promise<ServerProcess>): Promise<Row[]> {
  const rows: Row[] = [];
  const bearers: string[] = [];
  let stored = 0;
  for (const total of [ctx.opts.coldSmallKeys, ctx.opts.coldKeys]) {
    const add = total - stored;
    ctx.log(`seeding ${formatCount(add)} keys on ${backend}`);
    const seeded = await seed(db, add, 'cold@example.com');
    ctx.seeding.push({ backend, keys: add, ms: seeded.ms });
    ctx.log(`  seeded ${add.toLocaleString('en-US')} keys in ${(seeded.ms / 1000).toFixed(1)} s (${Math.round(add / (seeded.ms / 1000)).toLocaleString('en-US')} keys/s)`);
    for (const k of seeded.keys) bearers.push(`Bearer ${k.secret}`);
    stored = total;
    const server = await start(`cold-${formatCount(total)}`);
    try {
      await checkKey(server.url, bearers[bearers.length - 1]!);
      rows.push(
        await measureRow(
          ctx,
          server,
          { scenario: 'verify-key-cold', target: backend, variant: `${formatCount(total)} keys`, keys: total },
          { method: 'GET', path: '/v1/agents', expect: [200], requests: randomCredential('/v1/agents', bearers) },
        ),
      );
    } finally {
      await server.stop();
    }
  }
  return rows;
}
