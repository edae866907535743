import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemoryProbe } from '../src/memory-probe.js';

describe('MemoryProbe', () => {
  it('measures the peak memory of a process group, its children included, when the group is running', async () => {
    // The leader holds ~20 MB; its child in the same group allocates ~60 MB more.
    const script = `
      const keep = Buffer.alloc(20 * 1024 * 1024, 1);
      const child = require('node:child_process').spawn(process.execPath, ['-e',
        'const b = Buffer.alloc(60 * 1024 * 1024, 1); process.stdout.write("ready\\\\n"); setInterval(() => b[0]++, 1000)'],
        { stdio: ['ignore', 'inherit', 'ignore'] });
      setInterval(() => keep[0]++, 1000);`;
    const leader = spawn(process.execPath, ['-e', script], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await once(leader.stdout, 'data');
    const probe = new MemoryProbe();
    let leaderOnly: number | undefined;
    let group: number | undefined;
    try {
      group = probe.maxMemoryUsedMb(leader.pid);
      leaderOnly = new MemoryProbe('darwin').maxMemoryUsedMb(leader.pid);
    } finally {
      process.kill(-(leader.pid ?? 0), 'SIGKILL');
    }

    expect(group).toBeGreaterThan(80);
    expect(leaderOnly).toBeGreaterThan(20);
    expect(leaderOnly).toBeLessThan(group ?? 0);
  });

  it('keeps the last reading of a process that has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const probe = new MemoryProbe();
    const running = probe.maxMemoryUsedMb(child.pid);

    child.kill('SIGKILL');
    await once(child, 'exit');

    expect(running).toBeGreaterThan(0);
    expect(probe.maxMemoryUsedMb(child.pid)).toBe(running);
    expect(new MemoryProbe().maxMemoryUsedMb(child.pid)).toBeUndefined();
  });
});
