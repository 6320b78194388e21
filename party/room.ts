import type * as Party from "partykit/server";
import { onConnect as serveYDoc } from "y-partykit";
import { ROOM_TOKEN_SECRET_MIN_LENGTH, type RoomTokenClaims } from "../shared/room-token";
import { admitToRoom, refusal, tokenFromUrl, verifiedUserFrom, withVerifiedUser } from "./auth";

/** What each connection remembers about its user; presence will read it. */
export interface ConnectionState {
  user: Pick<RoomTokenClaims, "sub" | "name" | "role">;
}

/**
 * A project's live-editing room: one Y.js document per room id (= project id), served by
 * y-partykit to holders of a valid room token.
 *
 * Still to come with the collaboration issue: awareness/presence with a throttle, snapshots
 * POSTed back to the Worker (y-partykit `callback`), loading the project's saved document
 * (`load`), and closing connections when their token expires.
 */
export default class ProjectRoom implements Party.Server {
  constructor(readonly room: Party.Room) {}

  /** Runs at the edge before the upgrade: refused clients never get a socket. */
  static async onBeforeConnect(request: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    const secret = lobby.env.ROOM_TOKEN_SECRET;
    // A misconfigured room answers 500, not 401, so it is not mistaken for a client's bad token.
    if (typeof secret !== "string" || secret.length < ROOM_TOKEN_SECRET_MIN_LENGTH) {
      console.error("ROOM_TOKEN_SECRET is missing or too short; refusing every connection");
      return refusal(500, "room authentication is not configured");
    }
    const url = new URL(request.url);
    const admission = await admitToRoom(tokenFromUrl(url), lobby.id, secret);
    if (!admission.admitted) return refusal(admission.status, admission.reason);
    return asPartyRequest(withVerifiedUser(asStandardRequest(request), admission.claims));
  }

  async onConnect(connection: Party.Connection<ConnectionState>, context: Party.ConnectionContext): Promise<void> {
    // Defence in depth: only onBeforeConnect sets this header, but never serve a socket without it.
    const user = verifiedUserFrom(asStandardRequest(context.request).headers);
    if (!user || user.room !== this.room.id) {
      connection.close(1008, "unauthorized");
      return;
    }
    connection.setState({ user: { sub: user.sub, name: user.name, role: user.role } });
    // `readOnly` acts per connection: y-partykit drops a reader's sync updates but still sends it
    // the document and relays its awareness. The other options only take effect for the first
    // connection, which creates the doc, so they must not vary (y-partykit warns once when
    // `readOnly` differs; that warning is expected).
    await serveYDoc(connection, this.room, {
      persist: { mode: "snapshot" },
      readOnly: user.role === "read",
    });
  }
}

ProjectRoom satisfies Party.Worker;

// partykit's types pin an older @cloudflare/workers-types than Plaza's; at runtime both are
// workerd's own Request, so these casts only bridge the two declaration sets.
function asStandardRequest(request: Party.Request | Party.ConnectionContext["request"]): Request {
  return request as unknown as Request;
}
function asPartyRequest(request: Request): Party.Request {
  return request as unknown as Party.Request;
}
