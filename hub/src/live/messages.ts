/**
 * The live feed's messages are defined once in protocol/src/live.ts (the dashboard reads the same
 * schemas); re-exported here for the hub's own modules.
 */
export {
  AuthMessage,
  CLOSE_GOING_AWAY,
  CLOSE_POLICY,
  CLOSE_TOO_SLOW,
  ClientMessage,
  DroppedMessage,
  ErrorMessage,
  EventsMessage,
  HelloMessage,
  JobMessage,
  LiveMessage,
  PingMessage,
  PongMessage,
  ServerMessage,
  type ServerMessageOf,
  StatusMessage,
  SubscribedMessage,
  SubscribeMessage,
  UnsubscribeMessage,
  UploadJob,
  UploadState,
  UploadSummary,
  WS_PATH,
} from '@oskartrack/protocol';
