import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` (run in hub/) writes SQL migrations to hub/drizzle/; commit them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  strict: true,
  verbose: true,
});
