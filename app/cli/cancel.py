"""``settlement-window cancel``: cancel a settlement, or refund some of its lines (supervisor needed)."""

from __future__ import annotations

import argparse

from app.cli.context import (
    SUPERVISOR_OTP_ENV,
    SUPERVISOR_PASSWORD_ENV,
    CliContext,
    secret,
    with_one_time_code,
)
from app.cli.formatting import bill_text, totals_text
from app.cli.output import EXIT_OK
from app.messages import console as words
from app.messages import console_errors as errors
from app.services.cancel import SupervisorApproval


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cancel`` subcommand."""
    parser = subparsers.add_parser(
        "cancel",
        help="撤销结算（2208）或部分退费（须收费主管授权）",
        description="撤销一笔结算；给出 --refund-lines 时为部分退费：撤销后按剩余项目重新结算。",
    )
    parser.add_argument("settlement_id", metavar="SETTLEMENT_ID", help="结算号（setl_id）")
    parser.add_argument("--operator", metavar="CODE", help="操作员工号（或环境变量 SW_OPERATOR）")
    parser.add_argument(
        "--supervisor",
        metavar="CODE",
        required=True,
        help="授权的收费主管工号（密码和动态验证码见文档）",
    )
    parser.add_argument(
        "--refund-lines", metavar="NO[,NO…]", help="部分退费：退回项目的费用流水号，逗号分隔"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Cancel or refund, print."""
    operator = context.operator()
    asked = context.out.language
    prompt = errors.PROMPT_SUPERVISOR_PASSWORD(code=args.supervisor).render(asked)
    password = secret(SUPERVISOR_PASSWORD_ENV, prompt)
    otp_prompt = errors.PROMPT_SUPERVISOR_OTP(code=args.supervisor).render(asked)
    engine = context.engine()
    language = context.out.language
    if args.refund_lines:
        returned = [no.strip() for no in args.refund_lines.split(",") if no.strip()]
        refund = with_one_time_code(
            lambda otp: engine.partial_refund(
                args.settlement_id,
                returned,
                operator,
                SupervisorApproval(args.supervisor, password, otp),
            ),
            SUPERVISOR_OTP_ENV,
            otp_prompt,
        )
        text = [
            words.CANCELLED(
                settlement_id=refund.cancellation.original_settlement_id,
                cancellation_id=refund.cancellation.cancellation_id,
                split=totals_text(refund.cancellation.record.totals, language),
            ).render(language)
        ]
        if refund.resettled is not None:
            text.append(
                words.RESETTLED().render(language) + "\n" + bill_text(refund.resettled, language)
            )
        context.out.result(
            {"cancellation": refund.cancellation, "resettled": refund.resettled}, "\n".join(text)
        )
        return EXIT_OK
    result = with_one_time_code(
        lambda otp: engine.cancel(
            args.settlement_id, operator, SupervisorApproval(args.supervisor, password, otp)
        ),
        SUPERVISOR_OTP_ENV,
        otp_prompt,
    )
    context.out.result(
        {"cancellation": result},
        words.CANCELLED(
            settlement_id=result.original_settlement_id,
            cancellation_id=result.cancellation_id,
            split=totals_text(result.record.totals, language),
        ).render(language),
    )
    return EXIT_OK
