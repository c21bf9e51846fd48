// Brings the test's local D1 database to the schema in migrations/ (idempotent: applied ones are recorded).
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';

await applyD1Migrations(env.FEEDBACK_DB, inject('feedbackMigrations'));
