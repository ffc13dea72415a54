export { StoreDirectory } from './directory.ts';
export {
  DEFAULT_LIVE_LIMITS,
  type FeedLogger,
  LiveClient,
  type LiveConnectOptions,
  LiveFeed,
  type LiveFeedOptions,
  type LiveFeedStats,
  type LiveLimits,
  type LiveSocket,
} from './feed.ts';
export { livePlugin, redactToken, requestLogSerializer, tokenOf } from './plugin.ts';
