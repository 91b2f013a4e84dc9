"""The committed JSON Schema is generated from the models, and fails the build when stale."""

import json

from kb.cli import app
from kb.records.models import json_schema
from kb.paths import SCHEMA_PATH


def test_committed_schema_is_up_to_date():
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == json_schema(), "schema/record.schema.json is stale: run `kb schema` and commit it"


def test_schema_check_command_agrees(runner):
    result = runner.invoke(app, ["schema", "--check"])
    assert result.exit_code == 0, result.output


def test_every_field_has_a_description_and_vocabularies_are_closed():
    schema = json_schema()
    for name in ("Practice", "Reference"):
        props = schema["$defs"][name]["properties"]
        missing = [field for field, spec in props.items() if "description" not in spec]
        assert missing == [], f"{name} fields without description: {missing}"
        assert props["additionalProperties"] if "additionalProperties" in props else schema["$defs"][name]["additionalProperties"] is False
    practice = schema["$defs"]["Practice"]["properties"]
    assert "continuous-needs-assessment" in practice["success_factors"]["items"]["enum"]
    assert "NO" in practice["country"]["enum"]
