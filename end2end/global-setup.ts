// `cargo leptos end-to-end` starts the server and this suite at the same moment: wait until the
// server is ready (its /readyz answers 200) and the demo's app-only monitor has finished its first
// run (its count in /metrics), so that every spec sees the monitor's reading, never a race with it.
const baseURL = process.env.TENANTMESH_BASE_URL ?? 'http://127.0.0.1:3000';
const deadlineMs = 120_000;

async function firstMonitorRunDone(): Promise<boolean> {
  const response = await fetch(`${baseURL}/metrics`);
  if (!response.ok) return false;
  const text = await response.text();
  const runs = text.match(/^tenant_mesh_monitor_runs_total(?:\{[^}]*\})? (\d+)/m);
  return runs !== null && Number(runs[1]) >= 1;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let last = 'no answer yet';
  while (Date.now() - started < deadlineMs) {
    try {
      const response = await fetch(`${baseURL}/readyz`);
      if (response.ok && (await firstMonitorRunDone())) return;
      last = response.ok ? 'ready, the monitor has not run yet' : `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server at ${baseURL} not ready after ${deadlineMs / 1000}s: ${last}`);
}
