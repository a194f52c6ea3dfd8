"""Reading a social-security card and checking an ID number (``validation/card.py``,
``validation/id_number.py``)."""

from __future__ import annotations

from app.messages import Template

MASKED_LABEL = Template("card.masked_label", zh="社保卡 {card} / {id}", en="Card {card} / {id}")
BAD_ENCODING = Template(
    "card.bad_encoding",
    zh="读卡器返回的数据无法识别（编码错误）。请重新插卡读取；仍不行请改用医保电子凭证或身份证。",
    en="The card reader's data cannot be read (wrong encoding). Insert the card again; if it "
    "still fails, use the e-voucher or the ID card.",
)
BAD_DATA = Template(
    "card.bad_data",
    zh="社保卡数据有误：{what}。请重新插卡读取；仍不行请改用医保电子凭证或身份证。",
    en="The card's data is wrong: {what}. Insert the card again; if it still fails, use the "
    "e-voucher or the ID card.",
)
ISSUE_DATE = Template("card.issue_date", zh="发卡日期", en="the issue date")
EXPIRY_DATE = Template("card.expiry_date", zh="有效期", en="the expiry date")
DATE_FORMAT = Template("card.date_format", zh="{label}格式不对", en="{label} is malformed")
DATE_INVALID = Template("card.date_invalid", zh="{label}不是有效日期", en="{label} is not a date")
NAME_EMPTY = Template("card.name_empty", zh="卡内姓名为空", en="the name is empty")
NAME_UNREADABLE = Template(
    "card.name_unreadable",
    zh="卡内姓名含有无法识别的字符",
    en="the name has characters that cannot be read",
)
ID_SHAPE = Template(
    "card.id_shape",
    zh="社保卡上的社会保障号码格式不对（应为 18 位身份证号码）。"
    "请重新插卡读取；仍不行请改用医保电子凭证或身份证。",
    en="The card's social-security number is malformed (it should be an 18-character ID number). "
    "Insert the card again; if it still fails, use the e-voucher or the ID card.",
)
ID_INVALID = Template(
    "card.id_invalid",
    zh="社保卡上的社会保障号码无效：{reason}",
    en="The card's social-security number is not valid: {reason}",
)
EMPTY = Template("card.empty", zh="读卡器没有返回任何内容", en="the reader returned nothing")
NOT_A_CARD = Template(
    "card.not_a_card",
    zh="读卡器返回的不是社保卡信息",
    en="the reader returned something other than card data",
)
TOO_FEW_FIELDS = Template(
    "card.too_few_fields",
    zh="只读到 {found} 项，至少应有 {needed} 项",
    en="only {found} fields were read, at least {needed} are needed",
)
ENCRYPTED = Template(
    "card.encrypted",
    zh="读卡器以加密方式读卡，没有返回社会保障号码和姓名。请让信息科将读卡方式改为基本信息读卡，或改用医保电子凭证。",
    en="The reader read the card in encrypted mode and returned no number and name. Ask the IT "
    "staff to switch it to basic-information reading, or use the e-voucher.",
)
CONTROL_CHARACTERS = Template(
    "card.control_characters",
    zh="含有无法识别的控制字符",
    en="it has control characters",
)
BAD_REGION = Template(
    "card.bad_region",
    zh="发卡地区代码应为 6 位数字",
    en="the issuing region code should be 6 digits",
)
BAD_CARD_NO = Template("card.bad_card_no", zh="社保卡号格式不对", en="the card number is malformed")
BAD_CARD_SN = Template(
    "card.bad_card_sn",
    zh="卡识别码应为 32 位字母或数字",
    en="the card identification code should be 32 letters or digits",
)
SN_REGION_MISMATCH = Template(
    "card.sn_region_mismatch",
    zh="卡识别码与发卡地区不一致",
    en="the card identification code does not match the issuing region",
)
EXPIRED = Template(
    "card.expired",
    zh="这张社保卡已过有效期，不能用于结算。请让患者改用医保电子凭证或身份证。",
    en="This card has expired and cannot be used to settle. Ask the patient for the e-voucher or "
    "the ID card.",
)

# validation/id_number.py
ID_BIRTH_DATE = Template(
    "card.id_birth_date",
    zh="身份证号码中的出生日期“{text}”不是有效日期，请核对第 7～14 位后重新输入。",
    en="The birth date “{text}” in the ID number is not a valid date; check characters 7-14 and "
    "enter it again.",
)
ID_LENGTH = Template(
    "card.id_length",
    zh="身份证号码应为 18 位，当前为 {length} 位，请核对后重新输入。",
    en="An ID number has 18 characters; this one has {length}. Check it and enter it again.",
)
ID_FORMAT = Template(
    "card.id_format",
    zh="身份证号码格式不正确（前 17 位应为数字，最后一位为数字或 X），请重新输入。",
    en="The ID number is malformed (17 digits, then a digit or X); enter it again.",
)
ID_PROVINCE = Template(
    "card.id_province",
    zh="身份证号码前两位“{prefix}”不是有效的省份代码，请核对后重新输入。",
    en="The first two characters “{prefix}” of the ID number are not a province code; check "
    "and enter it again.",
)
ID_CHECKSUM = Template(
    "card.id_checksum",
    zh="身份证号码校验位不正确，可能输错了一位，请核对后重新输入。",
    en="The ID number's check character is wrong: a character may be mistyped. Check and enter it "
    "again.",
)
