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
