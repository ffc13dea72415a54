// What the hub's modules (ingest, config push, snapshot requests, live fan-out) need from MQTT. Two
// implementations: the embedded aedes broker and a client of an external broker (`--mqtt-url`).

export interface InboundMessage {
  topic: string;
  payload: Buffer;
}

export type MessageHandler = (message: InboundMessage) => void | Promise<void>;

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface MessageBus {
  /**
   * Delivers messages matching an MQTT pattern (`+`, `#`). With an external broker the hub subscribes
   * through an MQTT 5 shared subscription, so several hubs can split the ingest.
   */
  subscribe(pattern: string, handler: MessageHandler): Promise<void>;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  close(): Promise<void>;
}
