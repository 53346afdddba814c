import { readFileSync } from "node:fs";

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Resident memory of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time a process has used so far (user + system), in ms (Linux: clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface Row {
  benchmark: string;
  workload: string;
  metric: string;
  value: string;
  goal?: string;
  met?: boolean;
}

export function printTable(rows: Row[]): string {
  const header = "| benchmark | workload | metric | value | goal | met |\n|---|---|---|---|---|---|\n";
  const body = rows
    .map(
      (r) =>
        `| ${r.benchmark} | ${r.workload} | ${r.metric} | ${r.value} | ${r.goal ?? ""} | ${r.met === undefined ? "" : r.met ? "yes" : "no"} |`,
    )
    .join("\n");
  return header + body + "\n";
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
