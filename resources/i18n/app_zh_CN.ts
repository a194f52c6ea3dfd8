<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BillModel</name>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="58"/>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="59"/>
        <source>Code</source>
        <translation>院内编码</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="60"/>
        <source>Item</source>
        <translation>项目名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="61"/>
        <source>Spec</source>
        <translation>规格</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="62"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="63"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="64"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="65"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="66"/>
        <source>Settled as</source>
        <translation>结算方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="75"/>
        <location filename="../../app/ui/models/bill_model.py" line="216"/>
        <source>General outpatient</source>
        <translation>普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="77"/>
        <source>(not tagged)</source>
        <translation>（未标记）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="209"/>
        <source>Not tagged yet</source>
        <translation>尚未标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="211"/>
        <source>Full self-pay</source>
        <translation>全额自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="214"/>
        <source>Chronic disease {name}</source>
        <translation>门诊慢特病 {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="324"/>
        <source>(identify the patient first)</source>
        <translation>（请先识别患者）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="327"/>
        <source>Full self-pay: {reason}</source>
        <translation>全额自费：{reason}</translation>
    </message>
</context>
<context>
    <name>CredentialDialog</name>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="41"/>
        <source>Operator code</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="42"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
</context>
<context>
    <name>GroupModel</name>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="47"/>
        <source>Settlement</source>
        <translation>结算组</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="48"/>
        <source>Lines</source>
        <translation>明细数</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="49"/>
        <source>Total</source>
        <translation>总金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="50"/>
        <source>Fund</source>
        <translation>统筹支付</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="51"/>
        <source>Account</source>
        <translation>个人账户</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="52"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="53"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="57"/>
        <location filename="../../app/ui/models/group_model.py" line="218"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="58"/>
        <source>Registered</source>
        <translation>已挂号登记</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="59"/>
        <source>Visit uploaded</source>
        <translation>已上传就诊信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="60"/>
        <source>Fees uploaded</source>
        <translation>已上传费用明细</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="61"/>
        <source>Pre-settled</source>
        <translation>已预结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="62"/>
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="63"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="64"/>
        <source>Result unknown — confirming</source>
        <translation>结果未知，正在确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="65"/>
        <source>Self-pay collected</source>
        <translation>已收自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="66"/>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="82"/>
        <source>General outpatient</source>
        <translation>普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="84"/>
        <source>Full self-pay</source>
        <translation>全额自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="86"/>
        <source>Not tagged yet</source>
        <translation>尚未标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="88"/>
        <source>Chronic disease {name}</source>
        <translation>门诊慢特病 {name}</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="44"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="45"/>
        <source>Person no.</source>
        <translation>人员编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="46"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="47"/>
        <source>Total</source>
        <translation>总金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="48"/>
        <source>Fund</source>
        <translation>统筹支付</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="49"/>
        <source>Account</source>
        <translation>个人账户</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="50"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="51"/>
        <source>Settlement ID</source>
        <translation>结算号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="52"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="63"/>
        <source>Automatic reversal failed {n} times: a supervisor must resolve it.</source>
        <translation>自动冲正已失败 {n} 次，须由收费主管处理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="67"/>
        <source>Querying and reversing automatically (attempt {n}).</source>
        <translation>正在自动查询并冲正（第 {n} 次）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="70"/>
        <source>Being withdrawn automatically (attempt {n}).</source>
        <translation>正在自动撤销（第 {n} 次）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="150"/>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="152"/>
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="168"/>
        <source>Since</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="169"/>
        <source>Call</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="170"/>
        <source>Bill</source>
        <translation>账单</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="171"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="172"/>
        <source>What is being done</source>
        <translation>处理情况</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="194"/>
        <source>Cross-province chronic-disease settlement window</source>
        <translation>门诊慢特病跨省直接结算收费窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="228"/>
        <source>TRAINING / DEMO MODE — sandbox platform, no real settlement, no real money</source>
        <translation>培训/演示模式 — 使用沙箱平台，不产生真实结算，不收取真实费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="240"/>
        <source>Platform: checking…</source>
        <translation>医保平台：检查中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="244"/>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="212"/>
        <location filename="../../app/ui/main_window.py" line="273"/>
        <source>Press Enter to log in.</source>
        <translation>请按回车键登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="201"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="205"/>
        <source>Starting… the window is ready in a few seconds.</source>
        <translation>正在启动…几秒钟后即可登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="276"/>
        <source>Log in (Enter)</source>
        <translation>登录（回车）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="290"/>
        <source>Window</source>
        <translation>收费</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="292"/>
        <source>Today&apos;s settlements</source>
        <translation>当日结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="294"/>
        <source>Unresolved calls / day close</source>
        <translation>待确认交易 / 日结</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="317"/>
        <source>Read card (F2)</source>
        <translation>读卡（F2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="321"/>
        <source>ID number, Enter (F3)</source>
        <translation>身份证号，回车（F3）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="330"/>
        <source>Demo: which card is in the simulated reader</source>
        <translation>演示：模拟读卡器中插入的是哪张卡</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="333"/>
        <source>Eligibility slip</source>
        <translation>资格查询单</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="344"/>
        <source>Add item: hospital code, name or pinyin initials (F4)</source>
        <translation>添加项目：院内编码、名称或拼音首字母（F4）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="400"/>
        <source>Pre-settle (F8)</source>
        <translation>预结算（F8）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="402"/>
        <source>Settle (F9)</source>
        <translation>结算（F9）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="404"/>
        <source>Receipts (F10)</source>
        <translation>打印收据（F10）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="406"/>
        <source>Next patient (F12)</source>
        <translation>下一位（F12）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="425"/>
        <source>Search by name, ID or settlement number</source>
        <translation>按人员编号、账单号或结算号查找</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="432"/>
        <source>Reprint copy (补打)</source>
        <translation>补打</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="434"/>
        <source>Cancel settlement (supervisor)</source>
        <translation>撤销结算（需主管授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="436"/>
        <location filename="../../app/ui/main_window.py" line="458"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="454"/>
        <source>Resolve now</source>
        <translation>立即处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="456"/>
        <source>Day close and reconcile (supervisor)</source>
        <translation>日结对账（收费主管）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="533"/>
        <source>(no card in the reader)</source>
        <translation>（读卡器中无卡）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="535"/>
        <source>Card in reader: {name}</source>
        <translation>读卡器中的卡：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="635"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="635"/>
        <source>Operator code and password</source>
        <translation>请输入工号和密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="648"/>
        <source>Checking password…</source>
        <translation>正在核对密码…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="655"/>
        <source>Operator: {name} ({role})</source>
        <translation>操作员：{name}（{role}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="675"/>
        <source>Locked. {name}, press Enter and type your password to continue.</source>
        <translation>已锁定。{name}，请按回车并输入密码继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="680"/>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="725"/>
        <source>Settlement is enabled once the unresolved calls have been checked.</source>
        <translation>正在确认未完成的医保交易，确认后方可结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="728"/>
        <source>The platform is in maintenance: direct settlement is not possible until it ends.</source>
        <translation>医保平台停机维护中，维护结束前不能直接结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="732"/>
        <source>Offline: direct settlement is disabled until the platform is reachable; nothing is sent meanwhile.</source>
        <translation>离线：医保平台连接恢复前不能直接结算，期间不会发送任何结算请求。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1271"/>
        <source>The national platform announces maintenance: “{text}”. Direct settlement is paused until it ends.</source>
        <translation>国家医保平台通知停机维护：“{text}”。维护结束前暂停直接结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="735"/>
        <source>Eligibility is from the saved copy; read the card again when online.</source>
        <translation>当前参保信息来自本机缓存，仅供参考；联网后请重新读卡。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="737"/>
        <source>Tag every line (1–9 disease, G general) before pre-settling.</source>
        <translation>请先标记每一行费用（数字键 1–9 选病种，G 为普通门诊）再预结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="785"/>
        <source>Reading card…</source>
        <translation>正在读卡…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="822"/>
        <source>Querying the platform…</source>
        <translation>正在查询医保平台…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="859"/>
        <source>Loading the visit&apos;s fee lines…</source>
        <translation>正在读取本次就诊费用…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="880"/>
        <source>G = general outpatient</source>
        <translation>G = 普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="881"/>
        <source>0 = clear</source>
        <translation>0 = 清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="882"/>
        <source>Tag the selected lines: </source>
        <translation>标记选中行：</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="988"/>
        <source>Total {total}</source>
        <translation>合计 {total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="992"/>
        <source>Total {total}  Fund {fund}  Account {account}  Cash {cash}</source>
        <translation>合计 {total}&#x3000;统筹 {fund}&#x3000;个人账户 {account}&#x3000;现金 {cash}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1030"/>
        <source>Saving the bill…</source>
        <translation>正在保存账单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1052"/>
        <source>Pre-settling {group}…</source>
        <translation>正在预结算：{group}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1093"/>
        <source>fund</source>
        <translation>统筹</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1093"/>
        <source>cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1094"/>
        <source>paid in full by the patient</source>
        <translation>患者全额自付</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1106"/>
        <source>Settle</source>
        <translation>结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1106"/>
        <source>Settle these groups?</source>
        <translation>确认结算以下各组？</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1138"/>
        <source>Settling {group}…</source>
        <translation>正在结算：{group}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1203"/>
        <source>Printing receipts…</source>
        <translation>正在打印收据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1209"/>
        <source>Receipts printed: {numbers}</source>
        <translation>已打印收据：{numbers}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1224"/>
        <source>Preparing the eligibility slip…</source>
        <translation>正在生成资格查询单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1243"/>
        <source>Platform: MAINTENANCE</source>
        <translation>医保平台：停机维护</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1246"/>
        <source>Platform: online</source>
        <translation>医保平台：在线</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1250"/>
        <source>Platform: OFFLINE (checked {time})</source>
        <translation>医保平台：离线（检查于 {time}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1260"/>
        <source>Unresolved calls: {n}</source>
        <translation>待确认交易：{n} 笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1285"/>
        <source>Confirming unresolved settlements…</source>
        <translation>正在确认未完成的结算…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1353"/>
        <source>Cancel settlement</source>
        <translation>撤销结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1354"/>
        <source>Cancel settlement {id} ({total})? The fund&apos;s payment is returned.</source>
        <translation>撤销结算 {id}（{total}）？医保基金支付部分将退回。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1361"/>
        <source>Supervisor authorisation</source>
        <translation>主管授权</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1362"/>
        <source>A supervisor must authorise the cancellation.</source>
        <translation>撤销结算须由收费主管输入工号和密码授权。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1373"/>
        <source>Cancelling…</source>
        <translation>正在撤销…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1379"/>
        <source>Settlement {id} cancelled.</source>
        <translation>结算 {id} 已撤销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1401"/>
        <source>Day close</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1401"/>
        <source>Close the day and reconcile with the platform?</source>
        <translation>进行日结并与医保平台对账？</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="1409"/>
        <source>Reconciling with the platform…</source>
        <translation>正在与医保平台对账…</translation>
    </message>
</context>
<context>
    <name>PatientView</name>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="58"/>
        <source>No patient. Press F2 to read the card, scan the e-voucher, or type the ID number (F3).</source>
        <translation>尚未识别患者。请按 F2 读社保卡、扫描医保电子凭证，或输入身份证号（F3）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="70"/>
        <source>The platform cannot be reached and the saved eligibility is too old ({age}) to be shown. Try again when the connection is back.</source>
        <translation>无法连接医保平台，本机缓存的参保信息已过期（{age}），不予显示。请在网络恢复后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="89"/>
        <source>OFFLINE — saved eligibility as of {time} ({age}); for reference only.</source>
        <translation>离线 — 本机缓存的参保信息，截至 {time}（{age}），仅供参考。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="99"/>
        <source>{age} years</source>
        <translation>{age} 岁</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="99"/>
        <source>age unknown</source>
        <translation>年龄不详</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="101"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="109"/>
        <source>unknown</source>
        <translation>不详</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="111"/>
        <source>cross-province patient</source>
        <translation>跨省就医</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="113"/>
        <source>NOT cross-province — use the local insurance procedure</source>
        <translation>非跨省参保 — 请按本省医保流程办理</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="115"/>
        <source>Insured place</source>
        <translation>参保地</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="120"/>
        <source>account balance</source>
        <translation>个人账户余额</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="122"/>
        <source>normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="122"/>
        <source>not active — cannot settle</source>
        <translation>非正常参保 — 不能结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="128"/>
        <source>No insurance returned by the platform.</source>
        <translation>平台未返回参保信息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="130"/>
        <source>Insurance</source>
        <translation>参保险种</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="137"/>
        <source>Cross-province registration: checked by the platform when the visit is registered; without it the fees are paid in full and claimed at home.</source>
        <translation>异地就医备案：挂号登记时由平台核验；未备案的费用须全额自付，回参保地报销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="142"/>
        <source>Chronic-disease qualifications</source>
        <translation>门诊慢特病资格</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="144"/>
        <source>none on record</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="148"/>
        <source>valid {start} to {end}</source>
        <translation>有效期 {start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="150"/>
        <source>open-ended</source>
        <translation>长期</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="153"/>
        <source>in force</source>
        <translation>有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="154"/>
        <source>EXPIRED</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="155"/>
        <source>NOT YET VALID</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="158"/>
        <source>not a national pilot disease — cannot be settled directly</source>
        <translation>非国家跨省直接结算试点病种 — 不能直接结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="160"/>
        <source>opened at this hospital</source>
        <translation>本院已开通</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="162"/>
        <source>NOT opened at this hospital — full self-pay</source>
        <translation>本院未开通 — 全额自费</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../app/ui/errors.py" line="85"/>
        <source>The national platform is down for maintenance. {text}</source>
        <translation>国家医保平台停机维护。{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="96"/>
        <source>An internal program error occurred. The current operation has stopped; nothing was charged twice. Please tell the IT staff; the details are in the log.</source>
        <translation>程序内部错误，当前操作已停止，不会重复收费。请通知信息科，详细情况已写入日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="162"/>
        <source>Settlement window</source>
        <translation>收费窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="169"/>
        <source>Platform said: “{detail}”</source>
        <translation>平台返回：“{detail}”</translation>
    </message>
</context>
<context>
    <name>format</name>
    <message>
        <location filename="../../app/ui/format.py" line="31"/>
        <source>{n} min ago</source>
        <translation>{n} 分钟前</translation>
    </message>
    <message>
        <location filename="../../app/ui/format.py" line="33"/>
        <source>{h} h {m} min ago</source>
        <translation>{h} 小时 {m} 分钟前</translation>
    </message>
</context>
</TS>
