"""Hospital mode, shared once (issue 13 item 3): the catalogue and operators of the whole hospital."""

from __future__ import annotations

from app.messages import Template

CATALOGUE_IMPORT_UNREACHABLE = Template(
    "hospital_shared.catalogue_import_unreachable",
    zh="医院模式下目录统一导入医院数据库，但现在无法连接医院数据库，本次没有导入。"
    "各窗口继续使用已有目录；请在数据库恢复后重新导入。",
    en="In hospital mode the catalogue is imported into the hospital database, which cannot be "
    "reached now: nothing was imported. Every window keeps its catalogue; import again when the "
    "database is back.",
)
STEP_WRITE_HOSPITAL_CATALOGUE = Template(
    "hospital_shared.step_write_catalogue", zh="写入医院目录", en="Writing the hospital catalogue"
)
STEP_PULL_CATALOGUE = Template(
    "hospital_shared.step_pull_catalogue", zh="更新本机目录", en="Updating this window's catalogue"
)
OPERATORS_UNREACHABLE = Template(
    "hospital_shared.operators_unreachable",
    zh="医院模式下操作员账号统一保存在医院数据库，但现在无法连接医院数据库，本次修改没有生效。"
    "各窗口仍可用已有账号登录；请在数据库恢复后重试。",
    en="In hospital mode operator accounts are kept in the hospital database, which cannot be "
    "reached now: the change was not made. Every window still logs in with the accounts it has; "
    "try again when the database is back.",
)
ADMIN_EXISTS_HOSPITAL = Template(
    "hospital_shared.admin_exists",
    zh="医院数据库中已有管理员账号，不能再次初始化。请用已有管理员账号添加用户（任一窗口均可）。",
    en="The hospital database already has an administrator; it cannot be initialised again. Add "
    "users with an existing administrator account (at any window).",
)
CODE_TAKEN = Template(
    "hospital_shared.code_taken",
    zh="工号 {code} 已在医院数据库中存在（可能刚由另一窗口添加）。请换一个工号，或修改已有账号。",
    en="Operator code {code} already exists in the hospital database (perhaps just added at another "
    "window). Choose another code, or change the existing account.",
)
