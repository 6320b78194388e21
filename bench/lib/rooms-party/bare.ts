// y-partykit with nothing of Plaza's around it and no persistence: what `partykit dev` and
// y-partykit alone cost, to tell them apart from what Plaza's room adds.
import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

export default class BareYPartyKitRoom implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection): Promise<void> {
    return onConnect(connection, this.room, { gc: true });
  }
}
