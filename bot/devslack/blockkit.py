"""Block Kit validation with Slack's limits, so the stand-in rejects what Slack rejects.

Each check appends a message in Slack's style (``"... [json-pointer:/blocks/0/text]"``)
to a list; an empty list means the payload is valid. Only the block and element types a
bot like ours sends are known; any other type is rejected, as Slack rejects unknown types.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_ID = 255
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000

MESSAGE_BLOCK_TYPES = {"section", "actions", "context", "divider", "header", "image", "rich_text"}
VIEW_BLOCK_TYPES = MESSAGE_BLOCK_TYPES | {"input"}

_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_PICKERS = {
    "datetimepicker",
    "datepicker",
    "timepicker",
    "static_select",
    "multi_static_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "checkboxes",
    "radio_buttons",
}
# Text inputs live only in input blocks; buttons and overflow menus never do.
_INPUT_ELEMENTS = _TEXT_INPUTS | _PICKERS
_INTERACTIVE_ELEMENTS = _PICKERS | {"button", "overflow"}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    def text(
        self,
        obj: Any,
        pointer: str,
        *,
        max_len: int,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        if obj is None:
            if required:
                self.fail("missing required field: text", pointer)
            return
        if not isinstance(obj, dict):
            self.fail("must be a text object", pointer)
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.fail(f"must be one of {', '.join(allowed)}", pointer + "/type")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.fail("must be a non-empty string", pointer + "/text")
        elif len(value) > max_len:
            self.fail(f"must be less than {max_len + 1} characters", pointer + "/text")

    def ident(self, value: Any, pointer: str, name: str) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not value:
            self.fail(f"{name} must be a non-empty string", pointer)
        elif len(value) > MAX_ID:
            self.fail(f"{name} must be less than {MAX_ID + 1} characters", pointer)

    def confirm(self, obj: Any, pointer: str) -> None:
        if not isinstance(obj, dict):
            self.fail("must be a confirmation dialog object", pointer)
            return
        self.text(obj.get("title"), pointer + "/title", max_len=MAX_CONFIRM_TITLE, plain_only=True)
        self.text(obj.get("text"), pointer + "/text", max_len=MAX_CONFIRM_TEXT)
        for key in ("confirm", "deny"):
            self.text(obj.get(key), f"{pointer}/{key}", max_len=MAX_CONFIRM_BUTTON, plain_only=True)
        if obj.get("style") not in (None, "primary", "danger"):
            self.fail("must be primary or danger", pointer + "/style")

    def option(self, obj: Any, pointer: str) -> None:
        if not isinstance(obj, dict):
            self.fail("must be an option object", pointer)
            return
        self.text(obj.get("text"), pointer + "/text", max_len=75)
        value = obj.get("value")
        if not isinstance(value, str) or not value or len(value) > 150:
            self.fail("value must be a string of 1 to 150 characters", pointer + "/value")

    def element(self, el: Any, pointer: str, *, allowed: set[str]) -> None:
        if not isinstance(el, dict):
            self.fail("must be an element object", pointer)
            return
        kind = el.get("type")
        if kind not in allowed:
            self.fail(f"unsupported element type {kind!r}", pointer + "/type")
            return
        self.ident(el.get("action_id"), pointer + "/action_id", "action_id")
        if "confirm" in el:
            self.confirm(el["confirm"], pointer + "/confirm")
        if kind == "button":
            self.text(el.get("text"), pointer + "/text", max_len=MAX_BUTTON_TEXT, plain_only=True)
            value = el.get("value")
            if value is not None and (not isinstance(value, str) or len(value) > MAX_BUTTON_VALUE):
                self.fail(
                    f"must be less than {MAX_BUTTON_VALUE + 1} characters", pointer + "/value"
                )
            url = el.get("url")
            if url is not None and (not isinstance(url, str) or len(url) > MAX_URL):
                self.fail(f"must be less than {MAX_URL + 1} characters", pointer + "/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.fail("must be primary or danger", pointer + "/style")
        elif kind in (
            "static_select",
            "multi_static_select",
            "overflow",
            "checkboxes",
            "radio_buttons",
        ):
            options = el.get("options")
            groups = el.get("option_groups")
            if options is None and groups is None:
                self.fail("missing required field: options", pointer)
            for i, opt in enumerate(options or []):
                self.option(opt, f"{pointer}/options/{i}")
            if options is not None and len(options) > 100:
                self.fail("must provide no more than 100 items", pointer + "/options")
        if "placeholder" in el:
            self.text(el["placeholder"], pointer + "/placeholder", max_len=150, plain_only=True)
        if kind == "plain_text_input":
            max_length = el.get("max_length")
            if max_length is not None and (not isinstance(max_length, int) or max_length > 3000):
                self.fail("must be an integer no greater than 3000", pointer + "/max_length")

    def block(self, block: Any, pointer: str, *, allowed: set[str]) -> None:
        if not isinstance(block, dict):
            self.fail("must be a block object", pointer)
            return
        kind = block.get("type")
        if kind not in allowed:
            self.fail(f"unsupported type {kind!r}", pointer + "/type")
            return
        self.ident(block.get("block_id"), pointer + "/block_id", "block_id")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail("must provide either text or fields", pointer)
            if "text" in block:
                self.text(block["text"], pointer + "/text", max_len=MAX_SECTION_TEXT)
            fields = block.get("fields")
            if fields is not None:
                if not isinstance(fields, list) or len(fields) > 10:
                    self.fail("must provide no more than 10 items", pointer + "/fields")
                else:
                    for i, f in enumerate(fields):
                        self.text(f, f"{pointer}/fields/{i}", max_len=2000)
            if "accessory" in block:
                self.element(
                    block["accessory"],
                    pointer + "/accessory",
                    allowed=_INTERACTIVE_ELEMENTS | {"image"},
                )
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                self.fail("must provide at least 1 element", pointer + "/elements")
                return
            if len(elements) > 25:
                self.fail("must provide no more than 25 items", pointer + "/elements")
            seen: set[str] = set()
            for i, el in enumerate(elements):
                self.element(el, f"{pointer}/elements/{i}", allowed=_INTERACTIVE_ELEMENTS)
                action_id = el.get("action_id") if isinstance(el, dict) else None
                if action_id is not None:
                    if action_id in seen:
                        self.fail(
                            f"action_id {action_id!r} is already used in this block",
                            f"{pointer}/elements/{i}/action_id",
                        )
                    seen.add(action_id)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > 10:
                self.fail("must provide 1 to 10 elements", pointer + "/elements")
                return
            for i, el in enumerate(elements):
                if isinstance(el, dict) and el.get("type") == "image":
                    continue
                self.text(el, f"{pointer}/elements/{i}", max_len=MAX_SECTION_TEXT)
        elif kind == "header":
            self.text(block.get("text"), pointer + "/text", max_len=150, plain_only=True)
        elif kind == "image":
            if not block.get("image_url") and not block.get("slack_file"):
                self.fail("missing required field: image_url", pointer)
            if not block.get("alt_text"):
                self.fail("missing required field: alt_text", pointer)
        elif kind == "input":
            self.text(block.get("label"), pointer + "/label", max_len=2000, plain_only=True)
            self.element(block.get("element"), pointer + "/element", allowed=_INPUT_ELEMENTS)
            if "hint" in block:
                self.text(block["hint"], pointer + "/hint", max_len=2000, plain_only=True)


def _check_blocks(checker: _Checker, blocks: Any, *, max_blocks: int, allowed: set[str]) -> None:
    if not isinstance(blocks, list):
        checker.fail("must be an array of blocks", "/blocks")
        return
    if len(blocks) > max_blocks:
        checker.fail(f"must provide no more than {max_blocks} items", "/blocks")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        checker.block(block, f"/blocks/{i}", allowed=allowed)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in block_ids:
                checker.fail(f"block_id {block_id!r} is already used", f"/blocks/{i}/block_id")
            block_ids.add(block_id)


def validate_message_blocks(blocks: Any) -> list[str]:
    """Problems with a message's ``blocks`` (empty when Slack would accept them)."""
    checker = _Checker()
    _check_blocks(checker, blocks, max_blocks=MAX_MESSAGE_BLOCKS, allowed=MESSAGE_BLOCK_TYPES)
    return checker.errors


def validate_view(view: Any) -> list[str]:
    """Problems with a modal or Home tab ``view`` object (empty when valid)."""
    checker = _Checker()
    if not isinstance(view, dict):
        return ["must be a view object [json-pointer:/view]"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("must be modal or home", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", max_len=MAX_VIEW_TITLE, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"/view/{key}", max_len=MAX_VIEW_TITLE, plain_only=True)
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and "submit" not in view:
            checker.fail("submit is required when a view has input blocks", "/view/submit")
    checker.ident(view.get("callback_id"), "/view/callback_id", "callback_id")
    metadata = view.get("private_metadata")
    if metadata is not None and (not isinstance(metadata, str) or len(metadata) > 3000):
        checker.fail(
            f"must be less than {MAX_PRIVATE_METADATA + 1} characters", "/view/private_metadata"
        )
    sub = _Checker()
    _check_blocks(sub, view.get("blocks"), max_blocks=MAX_VIEW_BLOCKS, allowed=VIEW_BLOCK_TYPES)
    checker.errors += [
        e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks") for e in sub.errors
    ]
    return checker.errors


def iter_elements(blocks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every interactive element with its block: ``[(block, element), ...]`` in order."""
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for block in blocks or []:
        if block.get("type") == "actions":
            found += [(block, el) for el in block.get("elements", [])]
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            if block["accessory"].get("type") != "image":
                found.append((block, block["accessory"]))
        elif block.get("type") == "input" and isinstance(block.get("element"), dict):
            found.append((block, block["element"]))
    return found
