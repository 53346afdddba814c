/**
 * The state a closed day is remembered by: its last close snapshot (a day
 * may be reopened and closed again). The archive opens on it, and the
 * series page shows it for each day.
 */
export function finalSnapshotId(snapshots: readonly { id: string; kind: string; createdAt: number }[]): string | null {
  let last: { id: string; createdAt: number } | null = null;
  for (const s of snapshots) if (s.kind === "close" && (!last || s.createdAt >= last.createdAt)) last = s;
  return last?.id ?? null;
}
