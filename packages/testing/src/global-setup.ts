// Placeholder replaced by the real server setup (Postgres started once per run).
export default function setup(): void {}
