'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261202013422 extends Migration {

  name = 'Migration20261202013422';

  // Orientation.recordedAt: when an orientation was recorded, so that a correction of the same day is
  // in force. Rows recorded before the column existed get their decision day at 00:00 UTC (the
  // seeds do the same): deterministic, and earlier than anything recorded from now on. Nullable only
  // for old embedded SQLite files (see entities.ts); every row written sets it.
  async up() {
    this.addSql(`alter table "orientation" add "recorded_at" timestamptz null;`);
    this.addSql(`update "orientation" set "recorded_at" = "decided_on"::timestamp at time zone 'UTC';`);
  }

  async down() {
    this.addSql(`alter table "orientation" drop column "recorded_at";`);
  }

}
exports.Migration20261202013422 = Migration20261202013422;
