/** `npm run bench` option parsing. */
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../harness/args.js';

const OUT = 'results-dir';
const parse = (...argv: string[]) => parseBenchArgs(argv, OUT);

describe('bench arguments', () => {
  it('defaults to the full run: 10 s runs, 50 connections, a million keys, results written', () => {
    const o = parse();
    expect(o).toMatchObject({ quick: false, durationSec: 10, warmupSec: 2, connections: 50, coldSmallKeys: 1000, coldKeys: 1_000_000, outDir: OUT, profile: false, fromSource: false, gatehouseBin: null, logLevel: 'info', pinSelf: true });
    expect(o.scenarios).toEqual(['verify-key', 'verify-key-cold', 'verify-jwt', 'v0-auth', 'refresh', 'introspect', 'code-flow', 'verify-lib']);
    expect(o.targets).toEqual(['ceiling', 'sqlite', 'postgres', 'peer', 'lib']);
  });

  it('--quick shortens runs and the cold key set, and writes no file unless --out is given', () => {
    expect(parse('--quick')).toMatchObject({ quick: true, durationSec: 0.8, warmupSec: 0.2, coldKeys: 10_000, outDir: null });
    expect(parse('--quick', '--out', 'elsewhere').outDir).toBe('elsewhere');
  });

  it('explicit values win over the mode defaults', () => {
    const o = parse('--quick', '--duration', '0.5', '--warmup', '0', '--connections', '8', '--cold-keys', '5000', '--log-level', 'warn', '--no-pin', '--profile', '--from-source');
    expect(o).toMatchObject({ durationSec: 0.5, warmupSec: 0, connections: 8, coldKeys: 5000, logLevel: 'warn', pinSelf: false, profile: true, fromSource: true });
  });

  it('--scenarios and --targets select subsets (duplicates dropped)', () => {
    const o = parse('--scenarios', 'verify-key, v0-auth,verify-key', '--targets', 'ceiling,sqlite');
    expect(o.scenarios).toEqual(['verify-key', 'v0-auth']);
    expect(o.targets).toEqual(['ceiling', 'sqlite']);
  });

  it('--gatehouse-bin runs another build as is', () => {
    expect(parse('--gatehouse-bin', 'other/bin/gatehouse.js').gatehouseBin).toBe('other/bin/gatehouse.js');
  });

  it('--no-write prints only', () => {
    expect(parse('--no-write').outDir).toBeNull();
  });

  it.each([
    [['--scenarios', 'verify-everything'], /unknown verify-everything/],
    [['--targets', ''], /empty list/],
    [['--duration', '0'], /--duration takes a positive number/],
    [['--duration', 'ten'], /--duration/],
    [['--connections', '2.5'], /whole number/],
    [['--cold-keys', '1000'], /more than 1000/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--out', 'x', '--no-write'], /contradict/],
    [['--from-source', '--gatehouse-bin', 'x'], /contradict/],
    [['--bogus'], /Unknown option/],
    [['stray'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(BenchUsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('--help is recognized', () => {
    expect(parse('--help').help).toBe(true);
    expect(parse('-h').help).toBe(true);
  });
});
