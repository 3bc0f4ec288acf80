import type { DropFilter, DropLedger, DropRecord, DropRecordInput } from '../../../core/snapshot-drops.js';
import { recordSnapshotDrop } from './queries/snapshot-drops/record-snapshot-drop.js';
import { getSnapshotDrop, getSnapshotDropByClaim, listSnapshotDrops } from './queries/snapshot-drops/snapshot-drop-reads.js';
import type { SqlDatabase } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';

/** The drop ledger on either database. */
export class SqlDropLedger implements DropLedger {
  constructor(
    private readonly db: SqlDatabase,
    private readonly d: SqlDialect,
  ) {}

  async recordDrop(input: DropRecordInput): Promise<DropRecord> {
    const record = await this.db.transaction((s) => recordSnapshotDrop(s, this.d, input, false));
    if (record === null) throw new Error(`the drop ${input.claimName} was not recorded`);
    return record;
  }

  decideDrop(input: DropRecordInput): Promise<DropRecord | null> {
    return this.db.transaction((s) => recordSnapshotDrop(s, this.d, input, true));
  }

  getDropByClaim(claimName: string): Promise<DropRecord | null> {
    return this.db.transaction((s) => getSnapshotDropByClaim(s, this.d, claimName));
  }

  getDrop(id: string): Promise<DropRecord | null> {
    return this.db.transaction((s) => getSnapshotDrop(s, this.d, id));
  }

  listDrops(filter: DropFilter): Promise<DropRecord[]> {
    return this.db.transaction((s) => listSnapshotDrops(s, this.d, filter));
  }
}
