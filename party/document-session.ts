import type * as Party from "partykit/server";
import type { unstable_getYDoc } from "y-partykit";
import { removeAwarenessStates } from "y-protocols/awareness";
import * as Y from "yjs";
import { documentTooLargeMessage, RoomCloseCode, roomCloseReason } from "../shared/room-protocol";
import type { RoomTokenClaims } from "../shared/room-token";
import { MessageAssembler } from "./chunked-messages";
import { DocumentSizeGuard } from "./document-size";
import type { RoomLimits } from "./limits";
import { PresenceThrottle } from "./presence-throttle";
import {
  type AwarenessEntry,
  awarenessStatesMessage,
  type ClientMessage,
  decodeClientMessage,
  MalformedMessage,
  syncStep1Message,
  syncStep2Message,
} from "./sync";

/**
 * A provider speaks for one client id; a few allow for tabs sharing a socket. More would let one
 * message create thousands of presence states for every peer to receive.
 */
const MAX_PRESENCE_IDS_PER_CONNECTION = 8;

export type SharedDoc = Awaited<ReturnType<typeof unstable_getYDoc>>;
export type RoomMember = Pick<RoomTokenClaims, "sub" | "name" | "role">;

export interface Participant {
  connection: Party.Connection;
  user: RoomMember;
  assembler: MessageAssembler;
  /**
   * Awareness client ids this connection speaks for. The same Set is y-partykit's entry in
   * `doc.conns`, so its own clean-up (when a send fails) removes the right presence too.
   */
  presence: Set<number>;
}

/**
 * One live document and the connections editing it. y-partykit keeps the document, its storage and
 * the broadcast of document updates (to every connection in `doc.conns`); this class owns what
 * arrives on the sockets: validation, read-only enforcement, the document cap and presence.
 */
export class DocumentSession {
  private readonly participants = new Map<Party.Connection, Participant>();
  /** Which participant controls each awareness client id. */
  private readonly presenceOwners = new Map<number, Participant>();
  private readonly presence: PresenceThrottle;
  readonly size: DocumentSizeGuard;
  destroyed = false;

  constructor(
    readonly doc: SharedDoc,
    private readonly limits: RoomLimits,
    private readonly onLeave: (participant: Participant, remaining: number) => void,
  ) {
    this.presence = new PresenceThrottle(doc.awareness);
    this.size = new DocumentSizeGuard(doc, limits.maxDocumentBytes);
    // y-partykit destroys a document whose last connection failed a send; a new session takes over.
    doc.on("destroy", () => this.dispose());
  }

  get connectionCount(): number {
    return this.participants.size;
  }

  join(connection: Party.Connection, user: RoomMember): Participant {
    const participant: Participant = {
      connection,
      user,
      assembler: new MessageAssembler(this.limits.maxMessageBytes),
      presence: new Set(),
    };
    this.participants.set(connection, participant);
    this.doc.conns.set(connection, participant.presence);
    // As y-partykit greets a connection: the room's sync step 1, then everyone's presence.
    send(connection, syncStep1Message(this.doc));
    const states = awarenessStatesMessage(this.doc.awareness);
    if (states) send(connection, states);
    return participant;
  }

  participant(connection: Party.Connection): Participant | undefined {
    return this.participants.get(connection);
  }

  receive(participant: Participant, frame: string | ArrayBuffer | ArrayBufferView): void {
    const assembled = participant.assembler.accept(frame);
    if (assembled.kind === "pending") return;
    if (assembled.kind === "refused") {
      this.refuse(participant, assembled.code, assembled.reason);
      return;
    }
    let message: ClientMessage;
    try {
      message = decodeClientMessage(assembled.bytes);
    } catch (err) {
      this.refuse(participant, RoomCloseCode.invalidPayload, err instanceof MalformedMessage ? err.reason : roomCloseReason.malformedSync);
      return;
    }
    switch (message.type) {
      case "sync-step1": {
        let reply: Uint8Array;
        try {
          reply = syncStep2Message(this.doc, message.stateVector);
        } catch {
          this.refuse(participant, RoomCloseCode.invalidPayload, roomCloseReason.malformedSync);
          return;
        }
        send(participant.connection, reply);
        return;
      }
      case "sync-update":
        this.applyEdit(participant, message.update);
        return;
      case "awareness":
        this.relayPresence(participant, message.entries);
        return;
    }
  }

  /** Removes a connection and its presence at once; safe to call more than once. */
  leave(connection: Party.Connection): Participant | undefined {
    const participant = this.participants.get(connection);
    if (!participant) return undefined;
    this.participants.delete(connection);
    this.doc.conns.delete(connection);
    const clientIDs = Array.from(participant.presence);
    for (const clientID of clientIDs) {
      if (this.presenceOwners.get(clientID) === participant) this.presenceOwners.delete(clientID);
    }
    this.presence.forget(clientIDs);
    // Not throttled: peers see a leaver's cursor vanish in the same moment.
    removeAwarenessStates(this.doc.awareness, clientIDs, null);
    this.onLeave(participant, this.participants.size);
    return participant;
  }

  private applyEdit(participant: Participant, update: Uint8Array): void {
    // Readers' edits are dropped without a word, as y-partykit's readOnly does: their editor may
    // produce local changes, and closing them for it would only make them reconnect.
    if (participant.user.role !== "write") return;
    if (!this.size.admits(update)) {
      send(participant.connection, JSON.stringify(documentTooLargeMessage(this.limits.maxDocumentBytes)));
      this.refuse(participant, RoomCloseCode.tooBig, roomCloseReason.documentTooLarge(this.limits.maxDocumentBytes));
      return;
    }
    try {
      Y.applyUpdate(this.doc, update, participant.connection);
    } catch (err) {
      console.error(JSON.stringify({ level: "error", message: "update failed to apply after validation", error: String(err) }));
      this.refuse(participant, RoomCloseCode.invalidPayload, roomCloseReason.malformedSync);
    }
  }

  private relayPresence(participant: Participant, entries: AwarenessEntry[]): void {
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      if (!participant.presence.has(entry.clientID) && participant.presence.size >= MAX_PRESENCE_IDS_PER_CONNECTION) continue;
      const owner = this.presenceOwners.get(entry.clientID);
      if (owner && owner !== participant) {
        // Nobody speaks for another user's cursor; the same user's new connection (a reconnect
        // before the old socket's close arrived) takes its client id over.
        if (owner.user.sub !== participant.user.sub) continue;
        owner.presence.delete(entry.clientID);
      }
      this.presenceOwners.set(entry.clientID, participant);
      participant.presence.add(entry.clientID);
      accepted.push(entry);
    }
    this.presence.offer(accepted);
  }

  private refuse(participant: Participant, code: number, reason: string): void {
    this.leave(participant.connection);
    try {
      participant.connection.close(code, reason);
    } catch (err) {
      console.warn("closing a refused connection failed", err);
    }
  }

  private dispose(): void {
    this.destroyed = true;
    this.presence.destroy();
    this.size.destroy();
  }
}

function send(connection: Party.Connection, message: Uint8Array | string): void {
  try {
    connection.send(message);
  } catch {
    // A socket that is already closing; its close event does the clean-up.
  }
}
