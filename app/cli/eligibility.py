"""``settlement-window eligibility``: identify a patient and show what may be settled."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.output import EXIT_OK, EXIT_UNAVAILABLE, platform_detail
from app.services.bill_import import IdentityInput, IdentityKind


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``eligibility`` subcommand."""
    parser = subparsers.add_parser(
        "eligibility", help="查询参保人身份与门慢资格（1101 + 5301）", description="查询参保信息"
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--card-string", metavar="TEXT", help="读卡库返回的 | 分隔字符串")
    who.add_argument("--voucher", metavar="CODE", help="扫描到的医保电子凭证码")
    who.add_argument("--id-number", metavar="ID", help="18 位身份证号")
    parser.add_argument("--operator", metavar="CODE", help="操作员工号（或环境变量 SW_OPERATOR）")
    parser.set_defaults(handler=run)


def identity_of(args: argparse.Namespace) -> IdentityInput:
    """The identity given on the command line."""
    # ``is not None``: an empty string was given on purpose and must be refused as such.
    if args.card_string is not None:
        return IdentityInput(IdentityKind.CARD_STRING, args.card_string)
    if args.voucher is not None:
        return IdentityInput(IdentityKind.VOUCHER, args.voucher)
    return IdentityInput(IdentityKind.ID_NUMBER, args.id_number)


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Identify and print. A cached answer (platform unavailable or in maintenance) is shown for
    reference and exits 4, like the platform's failure itself."""
    # Identifying needs no money service: the lighter engine (docs/performance.md, CLI start-up).
    operator = context.operator(lookup=True)
    view = context.lookup_engine().identify(identity_of(args), operator)
    # The words come after the platform answered: not on the way to the first request.
    from app.cli.formatting import eligibility_text  # noqa: PLC0415

    data = {
        "person_no": view.person.person_no,
        "name": view.person.name,
        "id_number": view.masked_id,
        "insurance": view.settlement_insurance,
        "cross_province": view.cross_province,
        "qualifications": view.qualifications,
        "from_cache": view.from_cache,
        "age_seconds": view.age,
        "notice": view.notice,
    }
    if not view.from_cache:
        context.out.result(data, eligibility_text(view, context.out.language))
        return EXIT_OK
    reason = view.offline_reason
    offline = {
        "exit_code": EXIT_UNAVAILABLE,
        "error": reason.code if reason is not None else "offline",
        "message": view.notice,
        "detail": platform_detail(reason) if reason is not None else {},
    }
    text = eligibility_text(view, context.out.language)
    context.out.result({**data, **offline}, text, ok=False)
    return EXIT_UNAVAILABLE
