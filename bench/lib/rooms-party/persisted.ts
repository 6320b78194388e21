// As bare.ts, plus the persistence Plaza's room uses (y-partykit snapshot mode: every update is
// written to the room's storage), so the storage writes show up on their own.
import type * as Party from "partykit/server";
import { onConnect } from "y-partykit";

export default class PersistedYPartyKitRoom implements Party.Server {
  constructor(readonly room: Party.Room) {}

  onConnect(connection: Party.Connection): Promise<void> {
    return onConnect(connection, this.room, { persist: { mode: "snapshot" } });
  }
}
