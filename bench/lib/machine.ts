/** What the figures were measured on. */
import { cpus, release, totalmem, type } from 'node:os';
import type { MachineDescription } from './report.ts';

export function describeMachine(): MachineDescription {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: totalmem() / 1024 ** 3,
    os: `${type()} ${release()}`,
    node: process.version,
  };
}
