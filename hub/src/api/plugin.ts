/**
 * Named plugins without the `fastify-plugin` package: the same three symbols it sets. A named plugin
 * declares the plugins it needs (fastify refuses to start when one is missing) and, unless it asks to
 * be encapsulated, shares its decorators and hooks with the instance that registers it.
 */
import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

export interface PluginMeta {
  /** Other named plugins that must be registered first. */
  dependencies?: string[];
  /** Keep decorators and hooks inside (route plugins); default false: share them with the parent. */
  encapsulate?: boolean;
}

export function definePlugin<O extends FastifyPluginOptions = Record<never, never>>(
  name: string,
  fn: FastifyPluginAsync<O>,
  meta: PluginMeta = {},
): FastifyPluginAsync<O> {
  const plugin = fn as FastifyPluginAsync<O> & Record<symbol, unknown>;
  if (!meta.encapsulate) plugin[Symbol.for('skip-override')] = true;
  plugin[Symbol.for('fastify.display-name')] = name;
  plugin[Symbol.for('plugin-meta')] = { name, fastify: '5.x', dependencies: meta.dependencies ?? [] };
  return plugin;
}
