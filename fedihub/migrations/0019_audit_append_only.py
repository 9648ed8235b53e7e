from tortoise import migrations
from tortoise.migrations import operations as ops

# The audit log is append-only in the database itself, not only in the node's code: a trigger
# refuses every UPDATE and DELETE of its rows (and TRUNCATE on PostgreSQL), whoever sends them.
# Written by hand: the migration tool does not know triggers.
MESSAGE = "the audit log is append-only"

SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
]


class AppendOnly(ops.RunSQL):
    """RunSQL with one set of statements per database."""

    def __init__(self) -> None:
        super().__init__(SQLITE, reverse_sql=SQLITE_REVERSE)

    def _pick(self, state_editor, forward: bool):
        postgres = state_editor.client.capabilities.dialect == "postgres"
        if forward:
            return POSTGRES if postgres else SQLITE
        return POSTGRES_REVERSE if postgres else SQLITE_REVERSE

    async def _run(self, state_editor, statements) -> None:
        # one statement per call: the schema editor would cut a trigger's body at its ';'
        for statement in statements:
            await state_editor.client.execute_query(statement)

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor:
            await self._run(state_editor, self._pick(state_editor, True))

    async def database_backward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor:
            await self._run(state_editor, self._pick(state_editor, False))


class Migration(migrations.Migration):
    dependencies = [("models", "0018_projfed")]

    initial = False

    operations = [AppendOnly()]
