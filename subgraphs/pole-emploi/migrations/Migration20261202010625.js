'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261202010625 extends Migration {

  name = 'Migration20261202010625';

  async up() {
    this.addSql(`drop index "audit_entry_person_id_index";`);
    this.addSql(`create index "audit_entry_person_id_at_id_index" on "audit_entry" ("person_id", "at", "id");`);
  }

  async down() {
    this.addSql(`drop index "audit_entry_person_id_at_id_index";`);
    this.addSql(`create index "audit_entry_person_id_index" on "audit_entry" ("person_id");`);
  }

}
exports.Migration20261202010625 = Migration20261202010625;
