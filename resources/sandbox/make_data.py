"""Regenerate the sandbox's demo data files (catalogue.json, population.json).

Run from the repository root: ``.venv/bin/python resources/sandbox/make_data.py``.
The output is shipped; this script only exists so the data can be reviewed and rebuilt. pypinyin is
used here, at generation time, never at run time. Every figure is FICTIONAL (虚构，仅供培训测试).
"""

from __future__ import annotations

import json
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric

HERE = Path(__file__).parent
NOTICE = "虚构数据，仅供培训测试（FICTIONAL — for training and tests only）"

# (hospital code, national code, name, spec, unit, med_chrgitm_type, list_type, chrgitm_lv,
#  selfpay_prop, price, ceiling or None, restricted, diseases)
ITEMS = [
    # --- hypertension M03900
    ("XY0001", "XC08CAA055A001010100101", "苯磺酸氨氯地平片", "5mg*7片", "盒", "09", "101", "01", "0", "3.50", "5.00", False, ["M03900"]),
    ("XY0002", "XC08CAN042A010010200102", "硝苯地平控释片", "30mg*7片", "盒", "09", "101", "01", "0", "21.00", "25.00", False, ["M03900"]),
    ("XY0003", "XC09CAX088E001010100103", "缬沙坦胶囊", "80mg*7粒", "盒", "09", "101", "02", "0.05", "15.40", None, False, ["M03900"]),
    ("XY0004", "XC09CAE001A001010100104", "厄贝沙坦片", "150mg*7片", "盒", "09", "101", "02", "0.05", "12.60", None, False, ["M03900"]),
    ("XY0005", "XC07ABM070A012010100105", "琥珀酸美托洛尔缓释片", "47.5mg*7片", "盒", "09", "101", "01", "0", "18.30", None, False, ["M03900"]),
    ("XY0006", "XC03AAQ030A001010100106", "氢氯噻嗪片", "25mg*100片", "瓶", "09", "101", "01", "0", "4.80", None, False, ["M03900"]),
    # --- diabetes M01600
    ("XY0011", "XA10BAE082A001010100111", "盐酸二甲双胍片", "0.5g*20片", "盒", "09", "101", "01", "0", "5.60", None, False, ["M01600"]),
    ("XY0012", "XA10BBG036A001010100112", "格列美脲片", "2mg*30片", "盒", "09", "101", "02", "0.05", "24.90", None, False, ["M01600"]),
    ("XY0013", "XA10BFA004A001010100113", "阿卡波糖片", "50mg*30片", "盒", "09", "101", "02", "0.10", "36.80", None, False, ["M01600"]),
    ("XY0014", "XA10ABM015B002010100114", "门冬胰岛素注射液", "3ml:300单位", "支", "09", "101", "02", "0.10", "68.50", None, True, ["M01600"]),
    ("XY0015", "XA10AEG022B002010100115", "甘精胰岛素注射液", "3ml:300单位", "支", "09", "101", "02", "0.10", "159.00", None, True, ["M01600"]),
    ("XY0016", "XA10ADJ059B002010100116", "精蛋白生物合成人胰岛素注射液（预混30R）", "3ml:300单位", "支", "09", "101", "01", "0", "49.80", None, False, ["M01600"]),
    ("XY0017", "XA10BHX108A001010100117", "磷酸西格列汀片", "100mg*7片", "盒", "09", "101", "02", "0.10", "42.00", None, False, ["M01600"]),
    # --- malignant tumour M00500
    ("XY0021", "XL01CDZ012B001010100121", "注射用紫杉醇（白蛋白结合型）", "100mg", "瓶", "09", "101", "02", "0.10", "780.00", "800.00", True, ["M00500"]),
    ("XY0022", "XL01XAS013B001010100122", "注射用顺铂", "30mg", "支", "09", "101", "01", "0", "38.50", None, False, ["M00500"]),
    ("XY0023", "XL01BCK011A001010100123", "卡培他滨片", "0.5g*12片", "盒", "09", "101", "02", "0.10", "96.00", None, True, ["M00500"]),
    ("XY0024", "XL01XAA021B001010100124", "注射用奥沙利铂", "50mg", "支", "09", "101", "02", "0.10", "230.00", None, False, ["M00500"]),
    ("XY0025", "XL02BGL012A001010100125", "来曲唑片", "2.5mg*10片", "盒", "09", "101", "02", "0.05", "55.00", None, False, ["M00500"]),
    ("XY0026", "XL02BAT002A001010100126", "枸橼酸他莫昔芬片", "10mg*30片", "盒", "09", "101", "01", "0", "32.93", None, False, ["M00500"]),
    ("XY0027", "XA04AAA049B002010100127", "盐酸昂丹司琼注射液", "4ml:8mg", "支", "09", "101", "02", "0.10", "18.60", None, True, ["M00500"]),
    ("XY0028", "XB05BBL036B002020100128", "0.9%氯化钠注射液", "250ml", "袋", "09", "101", "01", "0", "2.85", None, False, ["M00500", "M07801", "general"]),
    ("XY0029", "XB05BAP084B002020100129", "5%葡萄糖注射液", "250ml", "袋", "09", "101", "01", "0", "3.10", None, False, ["M00500", "general"]),
    ("XY0030", "XL01XCQ089B001010100130", "注射用曲妥珠单抗", "440mg", "瓶", "09", "101", "02", "0.10", "5500.00", None, True, ["M00500"]),
    # --- dialysis M07801
    ("XY0041", "XB03XAY166B002010100141", "重组人促红素注射液", "1ml:3000IU", "支", "09", "101", "02", "0.10", "39.80", None, True, ["M07801"]),
    ("XY0042", "XB03ACS078B002010100142", "蔗糖铁注射液", "5ml:100mg", "支", "09", "101", "02", "0.10", "65.00", None, False, ["M07801"]),
    ("XY0043", "XB01ABG007B002010100143", "肝素钠注射液", "2ml:12500单位", "支", "09", "101", "01", "0", "11.20", None, False, ["M07801"]),
    # --- anti-rejection M083xx
    ("XY0051", "XL04ADT025E001010100151", "他克莫司胶囊", "1mg*50粒", "盒", "09", "101", "02", "0.05", "520.00", None, False, ["M08301", "M08302", "M08303", "M08304", "M08305", "M08306"]),
    ("XY0052", "XL04AAM046E001010100152", "吗替麦考酚酯胶囊", "0.25g*40粒", "盒", "09", "101", "02", "0.05", "186.00", None, False, ["M08301", "M08302", "M08303", "M08304", "M08305", "M08306"]),
    ("XY0053", "XL04ADH040E001010100153", "环孢素软胶囊", "25mg*50粒", "盒", "09", "101", "02", "0.05", "298.00", None, False, ["M08301", "M08302", "M08303", "M08304", "M08305", "M08306"]),
    ("XY0054", "XH02ABJ008A001010100154", "醋酸泼尼松片", "5mg*100片", "瓶", "09", "101", "01", "0", "9.90", None, False, ["M08301", "M08303"]),
    # --- general visit
    ("XY0061", "XJ01CAA040E001010100161", "阿莫西林胶囊", "0.25g*24粒", "盒", "09", "101", "01", "0", "8.60", None, False, ["general"]),
    ("XY0062", "XM01AEB105N001010100162", "布洛芬缓释胶囊", "0.3g*20粒", "盒", "09", "101", "02", "0.10", "16.50", None, False, ["general"]),
    ("ZY0063", "ZA04BAL0136010101000163", "连花清瘟胶囊", "0.35g*24粒", "盒", "11", "101", "02", "0.10", "14.80", None, False, ["general"]),
    ("ZY0064", "ZA01AAG0204010101000164", "感冒清热颗粒", "12g*10袋", "盒", "11", "101", "01", "0", "19.90", None, False, ["general"]),
    ("XY0065", "XA11GAW037A001010100165", "维生素C片", "0.1g*100片", "瓶", "09", "101", "01", "0", "2.50", None, False, ["general"]),
    ("XY0066", "XA11AAF033A001010100166", "复合维生素片（保健类）", "60片", "瓶", "09", "101", "03", "1", "88.00", None, False, ["general"]),
    # --- services
    ("FW0001", "001102000010000", "门诊诊查费（副主任医师）", "", "次", "02", "201", "01", "0", "50.00", "50.00", False, ["general", "M03900", "M01600", "M00500", "M07801", "M08301"]),
    ("FW0002", "001102000020000", "普通门诊诊查费", "", "次", "02", "201", "01", "0", "10.00", None, False, ["general"]),
    ("FW0003", "001101000010000", "挂号费", "", "次", "13", "201", "03", "1", "1.00", None, False, ["general"]),
    ("FW0004", "001102000030000", "一般诊疗费", "", "次", "12", "201", "01", "0", "10.00", None, False, ["general"]),
    ("FW0011", "121400002000000", "静脉输液（第一组）", "", "组", "05", "201", "01", "0", "12.00", None, False, ["M00500", "general"]),
    ("FW0012", "121400002010000", "化疗药物配置", "", "组", "05", "201", "02", "0.10", "30.00", None, False, ["M00500"]),
    ("FW0013", "250403020000000", "肿瘤标志物测定（CA15-3）", "", "项", "04", "201", "01", "0", "32.00", None, False, ["M00500"]),
    ("FW0014", "250101015000000", "血常规（五分类）", "", "次", "04", "201", "01", "0", "20.00", None, False, ["M00500", "M07801", "general"]),
    ("FW0015", "250301001000000", "肝功能测定", "", "次", "04", "201", "01", "0", "45.00", None, False, ["M00500", "M08301"]),
    ("FW0016", "250302001000000", "肾功能测定", "", "次", "04", "201", "01", "0", "36.00", None, False, ["M07801", "M08301", "M03900"]),
    ("FW0017", "250304012000000", "糖化血红蛋白测定", "", "次", "04", "201", "01", "0", "60.00", None, False, ["M01600"]),
    ("FW0018", "250305007000000", "血糖测定（静脉血）", "", "次", "04", "201", "01", "0", "8.00", None, False, ["M01600"]),
    ("FW0019", "220600004000000", "动态血压监测", "", "次", "03", "201", "02", "0.10", "180.00", None, False, ["M03900"]),
    ("FW0020", "310701001000000", "常规心电图检查", "", "次", "03", "201", "01", "0", "25.00", None, False, ["M03900", "general"]),
    ("FW0021", "220201003000000", "彩色多普勒超声常规检查", "", "部位", "03", "201", "01", "0", "160.00", None, False, ["M00500", "M08301"]),
    ("FW0022", "210300001000000", "X线计算机体层（CT）平扫", "", "部位", "03", "201", "02", "0.10", "240.00", None, True, ["M00500"]),
    ("FW0023", "311201001000000", "血液透析", "", "次", "05", "201", "01", "0", "410.00", "400.00", False, ["M07801"]),
    ("FW0024", "311201003000000", "血液透析滤过", "", "次", "05", "201", "02", "0.10", "560.00", None, False, ["M07801"]),
    ("FW0025", "250309004000000", "他克莫司血药浓度测定", "", "次", "04", "201", "01", "0", "150.00", None, False, ["M08301", "M08302", "M08303", "M08304", "M08305", "M08306"]),
    # --- consumables
    ("HC0001", "C03100101500000000001", "一次性使用输液器（带针）", "", "套", "08", "301", "02", "0.10", "4.50", None, False, ["M00500", "general"]),
    ("HC0002", "C02040802200000000002", "透析器（中通量）", "1.6㎡", "个", "08", "301", "02", "0.20", "150.00", "140.00", False, ["M07801"]),
    ("HC0003", "C02040801700000000003", "一次性使用血液透析管路", "", "套", "08", "301", "02", "0.10", "45.00", None, False, ["M07801"]),
    ("HC0004", "C02040801900000000004", "一次性使用动静脉穿刺针", "16G", "支", "08", "301", "02", "0.10", "12.00", None, False, ["M07801"]),
    ("HC0005", "C03100200400000000005", "胰岛素注射笔用针头", "0.25*5mm", "枚", "08", "301", "03", "1", "2.20", None, False, ["M01600"]),
    ("HC0006", "C03100101300000000006", "一次性使用静脉留置针", "22G", "支", "08", "301", "02", "0.20", "28.00", None, True, ["M00500"]),
    ("HC0007", "C03030102600000000007", "植入式给药装置（输液港）", "", "套", "08", "301", "02", "0.30", "3800.00", "3500.00", True, ["M00500"]),
]


def initials(name: str) -> str:
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(part[:1] for part in letters).upper()


def catalogue() -> dict[str, object]:
    items = []
    for (hosp, nat, name, spec, unit, typ, list_type, lv, prop, price, ceiling, lmt, dis) in ITEMS:
        items.append({
            "medins_list_codg": f"H11010500001{hosp}",
            "med_list_codg": nat,
            "name": name,
            "pinyin": initials(name),
            "spec": spec,
            "unit": unit,
            "med_chrgitm_type": typ,
            "list_type": list_type,
            "chrgitm_lv": lv,
            "selfpay_prop": prop,
            "price": price,
            "pric_uplmt_amt": ceiling,
            "lmt_used_flag": "1" if lmt else "0",
            "diseases": dis,
            "ver": "20260101001",
        })
    return {"notice": NOTICE, "admdvs": "110105", "items": items}


def _with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # the function skips the last character


def id_number(region: str, birth: str, seq: int) -> str:
    """A valid ID number: the region is moved to a county code that existed in the birth year."""
    candidates = [region] + [f"{region[:4]}{n:02d}" for n in range(1, 100)] + [
        f"{region[:2]}{n:04d}" for n in range(101, 10000)
    ]
    for code in candidates:
        number = _with_check_digit(f"{code}{birth}{seq:03d}")
        try:
            ric.validate(number)
        except Exception:  # noqa: BLE001 - try the next county code
            continue
        return number
    raise ValueError(f"no valid county code near {region} for {birth}")


def card(region: str, number: str, serial_hex: str) -> dict[str, str]:
    return {"card_no": number, "card_sn": f"{region}D156000005{serial_hex}",
            "issue_date": "20180601", "expiry_date": "20380601"}


PEOPLE = [
    # psn_no, name, region (id), birth, seq, gend, insuinfo, quals, registered, card region, card no, hex, voucher, note
    dict(key="qinghai", name="马秀兰", region="630102", birth="19700315", seq=122, gend="2", registered=True,
         insuinfo=[dict(insutype="390", psn_type="1501", status="1", insuplc_admdvs="630102", balc="0.00", emp_name="")],
         quals=[("M00500", "恶性肿瘤门诊治疗", "2025-03-01", "2027-02-28")],
         card=("630100", "X00000019", "00BF7C7A48FB4966"),
         note="种子案例：青海参保（城乡居民，无个人账户），乳腺癌，M00500 资格有效且已备案；首次就诊 179.63 元（甲类）结算为 统筹 129.63 / 现金 50.00"),
    dict(key="hebei", name="张建国", region="130302", birth="19580822", seq=235, gend="1", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1201", status="1", insuplc_admdvs="130399", balc="3200.50", emp_name="秦皇岛市示例机械厂（虚构）")],
         quals=[("M03900", "高血压", "2024-01-01", "2120-12-31")],
         card=("130300", "A58570797", "0A1B2C3D4E5F6071"),
         note="一种资格：河北职工（退休），高血压 M03900；个人账户可跨省使用"),
    dict(key="henan", name="李淑芬", region="410105", birth="19620518", seq=148, gend="2", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1201", status="1", insuplc_admdvs="410100", balc="1580.00", emp_name="郑州市示例纺织公司（虚构）")],
         quals=[("M03900", "高血压", "2023-06-01", "2120-12-31"), ("M01600", "糖尿病", "2024-02-01", "2120-12-31")],
         card=("410100", "B10234567", "1122334455667788"),
         note="两种资格：河南职工，高血压 M03900 + 糖尿病 M01600，各自单独结算"),
    dict(key="sichuan", name="王志强", region="510104", birth="19660909", seq=317, gend="1", registered=True,
         insuinfo=[dict(insutype="390", psn_type="1560", status="1", insuplc_admdvs="510100", balc="0.00", emp_name="")],
         quals=[("M01600", "糖尿病", "2022-01-01", "2024-12-31")],
         card=("510100", "C20345678", "2233445566778899"),
         note="资格已过期：四川居民，糖尿病 M01600 资格 2024-12-31 到期 → 不能直接结算，全额自费"),
    dict(key="hunan", name="刘桂英", region="430102", birth="19690127", seq=264, gend="2", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1101", status="1", insuplc_admdvs="430100", balc="960.00", emp_name="长沙市示例出版社（虚构）")],
         quals=[("M08303", "心移植抗排异治疗", "2023-09-01", "2120-12-31")],
         card=("430100", "D30456789", "33445566778899AA"),
         note="本院未开通的病种：湖南职工，心移植抗排异治疗 M08303（本院未开通）→ 全额自费，不转普通门诊"),
    dict(key="shandong", name="陈明", region="370102", birth="19550403", seq=113, gend="1", registered=True,
         insuinfo=[dict(insutype="390", psn_type="1601", status="1", insuplc_admdvs="370100", balc="0.00", emp_name="")],
         quals=[("M04800", "慢性阻塞性肺疾病", "2024-05-01", "2120-12-31")],
         card=("370100", "E40567890", "445566778899AABB"),
         note="非试点的本地慢病：山东居民，慢性阻塞性肺疾病（地方门慢 M04800，非跨省试点病种）→ 不能跨省直接结算"),
    dict(key="guangdong", name="黄丽华", region="440106", birth="19751230", seq=402, gend="2", registered=False,
         insuinfo=[dict(insutype="310", psn_type="1101", status="1", insuplc_admdvs="440100", balc="2400.00", emp_name="广州市示例贸易公司（虚构）")],
         quals=[("M03900", "高血压", "2024-03-01", "2120-12-31")],
         card=("440100", "F50678901", "5566778899AABBCC"),
         note="未备案：广东职工，高血压资格有效但未办理异地就医备案 → 2201 返回“未备案”，全额自费"),
    dict(key="jiangsu", name="周伟", region="320102", birth="19600716", seq=355, gend="1", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1201", status="1", insuplc_admdvs="320100", balc="8650.00", emp_name="南京市示例电子厂（虚构）")],
         quals=[("M07801", "透析", "2023-01-01", "2120-12-31")],
         card=("320100", "G60789012", "66778899AABBCCDD"),
         note="职工有个人账户余额：江苏职工，透析 M07801；参保地允许个人账户跨省支付"),
    dict(key="zhejiang", name="吴秀珍", region="330106", birth="19720211", seq=186, gend="2", registered=True,
         insuinfo=[dict(insutype="390", psn_type="1560", status="1", insuplc_admdvs="330100", balc="0.00", emp_name="")],
         quals=[("M08301", "肾移植抗排异治疗", "2022-07-01", "2120-12-31")],
         card=("330100", "H70890123", "778899AABBCCDDEE"),
         note="居民无个人账户：浙江城乡居民，肾移植抗排异治疗 M08301"),
    dict(key="gansu", name="赵龘", region="620102", birth="19800624", seq=271, gend="1", registered=True,
         insuinfo=[dict(insutype="390", psn_type="1560", status="1", insuplc_admdvs="620100", balc="0.00", emp_name="")],
         quals=[("M00500", "恶性肿瘤门诊治疗", "2025-01-01", "2120-12-31")],
         card=("620100", "J80901234", "8899AABBCCDDEEFF"),
         note="生僻字姓名（龘，基本多文种平面）：甘肃居民，M00500"),
    dict(key="chongqing", name="林𠈌", region="500103", birth="19990102", seq=228, gend="2", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1101", status="1", insuplc_admdvs="500103", balc="420.35", emp_name="重庆市示例火锅店（虚构）")],
         quals=[("M01600", "糖尿病", "2025-06-01", "2120-12-31")],
         card=("500100", "K91012345", "99AABBCCDDEEFF00"),
         note="生僻字姓名（𠈌，扩展B区，四字节 UTF-8）：重庆职工，糖尿病 M01600"),
    dict(key="heilongjiang", name="孙玉梅", region="230102", birth="19640808", seq=142, gend="2", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1101", status="2", insuplc_admdvs="230100", balc="150.00", emp_name="哈尔滨市示例粮库（虚构）", paus_insu_date="2025-10-01"),
                   dict(insutype="390", psn_type="1560", status="1", insuplc_admdvs="230102", balc="0.00", emp_name="")],
         quals=[("M01600", "糖尿病", "2024-04-01", "2120-12-31")],
         card=("230100", "L02123456", "AABBCCDDEEFF0011"),
         note="参保状态暂停的险种行：黑龙江，职工医保（310）暂停，城乡居民（390）正常且区划不同 → 按 390 结算"),
    dict(key="tianjin", name="郑国华", region="120101", birth="19900315", seq=391, gend="1", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1101", status="1", insuplc_admdvs="120100", balc="1200.00", emp_name="天津市示例物流公司（虚构）")],
         quals=[],
         card=("120100", "M13234567", "BBCCDDEEFF001122"),
         note="无门慢资格的普通门诊：天津职工，已备案，只能按普通门诊（11）结算"),
    dict(key="qinghai2", name="韩德福", region="630121", birth="19520419", seq=455, gend="1", registered=True,
         insuinfo=[dict(insutype="310", psn_type="1201", status="1", insuplc_admdvs="639900", balc="5300.00", emp_name="青海省示例盐湖公司（虚构）")],
         quals=[("M07801", "透析", "2024-01-01", "2120-12-31"), ("M03900", "高血压", "2024-01-01", "2120-12-31")],
         card=("639900", "N24345678", "CCDDEEFF00112233"),
         note="两种资格且省本级区划（639900）：青海职工，透析 M07801 + 高血压 M03900；参保地不允许个人账户跨省支付"),
]


def population() -> dict[str, object]:
    people = []
    for index, p in enumerate(PEOPLE, start=1):
        idn = id_number(p["region"], p["birth"], p["seq"])
        card_region, card_no, hex16 = p["card"]
        rows = []
        for row in p["insuinfo"]:
            rows.append({
                "insutype": row["insutype"], "psn_type": row["psn_type"], "psn_insu_stas": row["status"],
                "psn_insu_date": "2010-01-01", "paus_insu_date": row.get("paus_insu_date"),
                "cvlserv_flag": "0", "insuplc_admdvs": row["insuplc_admdvs"], "balc": row["balc"],
                "emp_name": row["emp_name"],
            })
        people.append({
            "psn_no": f"{p['insuinfo'][0]['insuplc_admdvs'][:2]}000000{index:012d}",
            "name": p["name"],
            "id_number": idn,
            "gend": p["gend"],
            "naty": "01",
            "brdy": f"{p['birth'][:4]}-{p['birth'][4:6]}-{p['birth'][6:]}",
            "insuinfo": rows,
            "qualifications": [
                {"code": c, "name": n, "begndate": b, "enddate": e} for c, n, b, e in p["quals"]
            ],
            "cross_province_registered": p["registered"],
            "card": card(card_region, card_no, hex16),
            "voucher": {
                "qr_code": f"{6212000000 + index * 7919:010d}{idn[-8:-1]}{index:011d}",
                "ec_token": f"{p['insuinfo'][0]['insuplc_admdvs'][:2]}0000ecsandbox{index:04d}{idn[-4:].lower()}",
            },
            "note": p["note"],
        })
    return {"notice": NOTICE, "people": people}


def main() -> None:
    for name, data in (("catalogue.json", catalogue()), ("population.json", population())):
        text = json.dumps(data, ensure_ascii=False, indent=1)
        (HERE / name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
