// `cargo leptos end-to-end` starts the server and this suite at the same moment: wait until the
// server is ready (its /readyz answers 200) before any test runs.
const baseURL = process.env.TENANTMESH_BASE_URL ?? 'http://127.0.0.1:3000';
const deadlineMs = 120_000;

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let last = 'no answer yet';
  while (Date.now() - started < deadlineMs) {
    try {
      const response = await fetch(`${baseURL}/readyz`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server at ${baseURL} not ready after ${deadlineMs / 1000}s: ${last}`);
}
