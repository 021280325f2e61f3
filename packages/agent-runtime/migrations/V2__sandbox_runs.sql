-- Sandbox runs (AgentService.RunSandbox) keep their audit record in the caller's
-- tenant, with the throwaway tenant they ran in; empty for a real run.
ALTER TABLE agents.runs ADD COLUMN sandbox_tenant text NOT NULL DEFAULT '';
