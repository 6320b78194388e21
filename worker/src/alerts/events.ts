/** Announced by every dead-letter queue's consumer (context.ts `DomainEvents`); alerts records them without the consumers knowing it. */
declare module "../context" {
  interface DomainEvents {
    /** A dead-letter queue's batch: messages whose retries ran out on the queue they were sent to. */
    "queue.dead_lettered": {
      queue: string;
      messages: readonly { id: string; timestamp: Date; attempts: number; body: unknown }[];
    };
  }
}

export {};
