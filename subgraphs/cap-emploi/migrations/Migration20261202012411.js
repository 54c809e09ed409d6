'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261202012411 extends Migration {

  name = 'Migration20261202012411';

  async up() {
    this.addSql(`create table "person_directory" ("person_id" varchar(255) not null, "departement" varchar(255) not null, primary key ("person_id"));`);
    this.addSql(`create index "person_directory_departement_index" on "person_directory" ("departement");`);
  }

  async down() {
    this.addSql(`drop table if exists "person_directory" cascade;`);
  }

}
exports.Migration20261202012411 = Migration20261202012411;
