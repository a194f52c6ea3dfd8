<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BillEditor</name>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="143"/>
        <source>G = general outpatient</source>
        <translation>G = 普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="144"/>
        <source>0 = clear</source>
        <translation>0 = 清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="145"/>
        <source>Tag the selected lines: </source>
        <translation>标记选中行：</translation>
    </message>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="261"/>
        <source>{group}: {reason}</source>
        <translation>{group}：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="270"/>
        <source>{split}; {amount} not settled</source>
        <translation>{split}；另有 {amount} 未结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/bill_editor.py" line="280"/>
        <source>Total {total} (the split is known after pre-settlement, F8)</source>
        <translation>合计 {total}（预结算后显示统筹、个人账户、现金，按 F8）</translation>
    </message>
</context>
<context>
    <name>BillModel</name>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="56"/>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="57"/>
        <source>Code</source>
        <translation>院内编码</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="58"/>
        <source>Item</source>
        <translation>项目名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="59"/>
        <source>Spec</source>
        <translation>规格</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="60"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="61"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="62"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="63"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="64"/>
        <source>Settled as</source>
        <translation>结算方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="73"/>
        <source>General outpatient</source>
        <translation>普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="75"/>
        <source>(not tagged)</source>
        <translation>（未标记）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="335"/>
        <source>(identify the patient first)</source>
        <translation>（请先识别患者）</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/bill_model.py" line="331"/>
        <location filename="../../app/ui/models/bill_model.py" line="338"/>
        <source>Full self-pay: {reason}</source>
        <translation>全额自费：{reason}</translation>
    </message>
</context>
<context>
    <name>BillPanel</name>
    <message>
        <location filename="../../app/ui/panels/bill_panel.py" line="61"/>
        <source>Add item: hospital code, name or pinyin initials (F4)</source>
        <translation>添加项目：院内编码、名称或拼音首字母（F4）</translation>
    </message>
</context>
<context>
    <name>ConflictModel</name>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="55"/>
        <source>Found</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="56"/>
        <source>Outpatient no.</source>
        <translation>门诊号</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="57"/>
        <source>Settled offline (HIS lock)</source>
        <translation>断网结算（HIS 锁定）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="58"/>
        <source>Also settled at</source>
        <translation>另一窗口结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="59"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="99"/>
        <source>no longer stands</source>
        <translation>已不成立</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="100"/>
        <source>open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="100"/>
        <source>handled</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="106"/>
        <source>{window}: not synced yet</source>
        <translation>{window}：尚未同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="107"/>
        <source>cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="108"/>
        <source>{window}: {settlements} ({total})</source>
        <translation>{window}：{settlements}（{total}）</translation>
    </message>
</context>
<context>
    <name>ConflictPanel</name>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="147"/>
        <source>Mark handled…</source>
        <translation>标记为已处理……</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="170"/>
        <source>Charge conflicts between windows: {n} waiting for a supervisor (the patient may have been charged twice).</source>
        <translation>窗口间重复收费冲突：{n} 个待主管处理（患者可能被重复收费）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="178"/>
        <source>No charge conflict between windows is waiting; {n} closed today by themselves (a settlement was cancelled, see below).</source>
        <translation>没有待处理的窗口间重复收费冲突；今天有 {n} 个因其中一笔结算已撤销而自动结案（见下表）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="184"/>
        <source>No charge conflict between windows is waiting.</source>
        <translation>没有待处理的窗口间重复收费冲突。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="221"/>
        <source>Mark the charge conflict handled</source>
        <translation>标记收费冲突为已处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="223"/>
        <source>What was done? (e.g. which settlement was cancelled with 2208, whether the patient was refunded)</source>
        <translation>做了哪些处理？（例如用 2208 撤销了哪一笔结算、是否已向患者退款）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_conflicts.py" line="235"/>
        <source>Recording the conflict as handled…</source>
        <translation>正在记录冲突处理结果……</translation>
    </message>
</context>
<context>
    <name>ConnectionMonitor</name>
    <message>
        <location filename="../../app/ui/connection_monitor.py" line="109"/>
        <source>Confirming unresolved settlements…</source>
        <translation>正在确认未完成的结算…</translation>
    </message>
</context>
<context>
    <name>CredentialDialog</name>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="61"/>
        <source>6 digits from the authenticator app</source>
        <translation>验证器上显示的 6 位数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="63"/>
        <source>Operator code</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="64"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/credential_dialog.py" line="65"/>
        <source>One-time code</source>
        <translation>动态验证码</translation>
    </message>
</context>
<context>
    <name>DiagnosisField</name>
    <message>
        <location filename="../../app/ui/panels/diagnosis_field.py" line="50"/>
        <source>&amp;Diagnosis (general outpatient):</source>
        <translation>诊断(&amp;D)（普通门诊）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/diagnosis_field.py" line="53"/>
        <source>ICD-10 code, e.g. J06.900</source>
        <translation>医保版 ICD-10 编码，如 J06.900</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/diagnosis_field.py" line="60"/>
        <source>Diagnosis name (type to pick a common one)</source>
        <translation>诊断名称（可选常见诊断）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/diagnosis_field.py" line="62"/>
        <source>(from the HIS visit)</source>
        <translation>（来自 HIS 就诊记录）</translation>
    </message>
</context>
<context>
    <name>DialogProgress</name>
    <message>
        <location filename="../../app/ui/progress_dialog.py" line="36"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/progress_dialog.py" line="58"/>
        <source>Stopping at a safe point…</source>
        <translation>正在停止（会在可以安全停止的地方停下）……</translation>
    </message>
</context>
<context>
    <name>GroupLabel</name>
    <message>
        <location filename="../../app/ui/models/group_labels.py" line="14"/>
        <source>General outpatient</source>
        <translation>普通门诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_labels.py" line="15"/>
        <source>Chronic disease</source>
        <translation>门诊慢特病</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_labels.py" line="16"/>
        <source>Full self-pay</source>
        <translation>全额自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_labels.py" line="32"/>
        <source>Not tagged yet</source>
        <translation>尚未标记</translation>
    </message>
</context>
<context>
    <name>GroupModel</name>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="46"/>
        <source>Settlement</source>
        <translation>结算组</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="47"/>
        <source>Lines</source>
        <translation>明细</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="48"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="49"/>
        <source>Fund</source>
        <translation>统筹</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="50"/>
        <source>Account</source>
        <translation>个人账户</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="51"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="52"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="56"/>
        <location filename="../../app/ui/models/group_model.py" line="243"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="57"/>
        <source>Registered</source>
        <translation>已挂号登记</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="58"/>
        <source>Visit uploaded</source>
        <translation>已上传就诊信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="59"/>
        <source>Fees uploaded</source>
        <translation>已上传费用明细</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="60"/>
        <source>Pre-settled</source>
        <translation>已预结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="61"/>
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="62"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="63"/>
        <source>Result unknown — confirming</source>
        <translation>结果未知，正在确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="64"/>
        <source>Self-pay collected</source>
        <translation>已收自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="65"/>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/group_model.py" line="241"/>
        <source>Pay in cash</source>
        <translation>现金自付</translation>
    </message>
</context>
<context>
    <name>HisPanel</name>
    <message>
        <location filename="../../app/ui/his_panel.py" line="35"/>
        <source>Unpaid HIS visits</source>
        <translation>HIS 待收费就诊</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="46"/>
        <source>Load ticked visits (F7)</source>
        <translation>加入选中的就诊（F7）</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="62"/>
        <source>Asking the HIS…</source>
        <translation>正在查询 HIS…</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="66"/>
        <source>No unpaid visit in the HIS.</source>
        <translation>HIS 中无待收费的就诊。</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="71"/>
        <source>HIS not reachable: {reason} Type the bill or collect self-pay.</source>
        <translation>HIS 暂时无法连接：{reason} 可以手工录入费用或按自费收取。</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="79"/>
        <source>{n} line(s) loaded from the HIS.</source>
        <translation>已加入 HIS 费用 {n} 项。</translation>
    </message>
    <message>
        <location filename="../../app/ui/his_panel.py" line="115"/>
        <source>{no}  {dept} {doctor} · {n} item(s) · {total}</source>
        <translation>{no}  {dept} {doctor} · {n} 项 · {total}</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="48"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="49"/>
        <source>Patient</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="50"/>
        <source>Person no.</source>
        <translation>人员编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="51"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="52"/>
        <source>Total</source>
        <translation>总金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="53"/>
        <source>Fund</source>
        <translation>统筹支付</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="54"/>
        <source>Account</source>
        <translation>个人账户</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="55"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="56"/>
        <source>Settlement ID</source>
        <translation>结算号</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="57"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="68"/>
        <source>Being resolved at window {window}</source>
        <translation>正由窗口 {window} 处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="72"/>
        <source>Awaiting the hospital server</source>
        <translation>等待医院服务器</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="79"/>
        <source>A supervisor at window {window} is resolving this call; this window takes their outcome by itself. Nothing to do here.</source>
        <translation>窗口 {window} 的收费主管正在处理这笔交易，本窗口会自动采纳其结果，此处无需操作。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="85"/>
        <source>This call had reached the hospital server, so another window may have resolved it: it is not reversed here until the hospital server answers, then it is resolved by itself, never twice. Settling goes on; the day close waits. If the hospital server stays unreachable, ask IT to check it and the network.</source>
        <translation>这笔交易已送达医院服务器，可能已由其他窗口处理：医院服务器恢复前本窗口不冲正，恢复后自动处理，不会重复冲正。可照常收费，但暂不能日结。如医院服务器长时间连不上，请联系信息科检查服务器和网络。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="93"/>
        <source>Automatic reversal failed {n} times: a supervisor must resolve it.</source>
        <translation>自动冲正已失败 {n} 次，须由收费主管处理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="97"/>
        <source>Querying and reversing automatically (attempt {n}).</source>
        <translation>正在自动查询并冲正（第 {n} 次）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="100"/>
        <source>Being withdrawn automatically (attempt {n}).</source>
        <translation>正在自动撤销（第 {n} 次）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="171"/>
        <source>Cancelled</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="173"/>
        <source>Settled</source>
        <translation>已结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="189"/>
        <source>Since</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="190"/>
        <source>Call</source>
        <translation>交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="191"/>
        <source>Bill</source>
        <translation>账单</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="192"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/models/history_model.py" line="193"/>
        <source>What is being done</source>
        <translation>处理情况</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_history_model.py" line="19"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="80"/>
        <source>Search by name, ID or settlement number</source>
        <translation>按姓名、人员编号、账单号或结算号查找</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="87"/>
        <source>Reprint copy (补打)</source>
        <translation>补打</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="90"/>
        <source>Reissue with a new number (重打, supervisor)</source>
        <translation>重打（换新票号，需主管授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="93"/>
        <source>Cancel settlement (supervisor)</source>
        <translation>撤销结算（需主管授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="95"/>
        <source>Partial refund (supervisor)</source>
        <translation>部分退费（需主管授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="97"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="150"/>
        <source>All windows</source>
        <translation>全部窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="152"/>
        <location filename="../../app/ui/tabs/history_tab.py" line="162"/>
        <source>Window {window}</source>
        <translation>窗口 {window}</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="177"/>
        <source>The hospital database cannot be reached: only this window&apos;s settlements are listed. Every window&apos;s appear again when the connection is back.</source>
        <translation>暂时连接不上医院数据库：只列出本窗口的结算；恢复连接后重新显示全院各窗口的结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="200"/>
        <source>Fetching the settlement from the hospital record…</source>
        <translation>正在从医院数据库取回该结算…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="245"/>
        <location filename="../../app/ui/tabs/history_tab.py" line="428"/>
        <source>Printing receipts…</source>
        <translation>正在打印收据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="261"/>
        <source>Cancel settlement</source>
        <translation>撤销结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="262"/>
        <source>Cancel settlement {id} ({total})? The fund&apos;s payment is returned.</source>
        <translation>撤销结算 {id}（{total}）？医保基金支付部分将退回。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="269"/>
        <source>A supervisor must authorise the cancellation.</source>
        <translation>撤销结算须由收费主管输入工号和密码授权。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="283"/>
        <source>Cancelling…</source>
        <translation>正在撤销…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="295"/>
        <location filename="../../app/ui/tabs/history_tab.py" line="435"/>
        <source>Settlement {id} cancelled; returned: {split}.</source>
        <translation>结算 {id} 已撤销，退回：{split}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="311"/>
        <source>Reissue the receipt of {id} under a new number? The old number is voided. A supervisor must authorise it.</source>
        <translation>为结算 {id} 重打票据（换新票据号）？原票据号将作废。须由收费主管授权。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="330"/>
        <source>Reissuing the receipt…</source>
        <translation>正在重打票据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="347"/>
        <source>Receipt {old} voided; new receipt {new} printed.</source>
        <translation>票据 {old} 已作废，新票据 {new} 已打印。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="386"/>
        <source>A supervisor must authorise the partial refund of {id} ({n} line(s) returned).</source>
        <translation>结算 {id} 部分退费（退 {n} 项）须由收费主管输入工号和密码授权。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="410"/>
        <source>Cancelling and settling the kept lines again…</source>
        <translation>正在撤销原结算并重新结算保留的项目…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="441"/>
        <source>Every line was returned; nothing was settled again.</source>
        <translation>全部项目已退，无需重新结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="446"/>
        <source>Kept lines, {group}: not settled. {failure}</source>
        <translation>保留项目（{group}）未能重新结算。{failure}</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/history_tab.py" line="453"/>
        <source>Kept lines, {group}: settled again as {id}: {split}.</source>
        <translation>保留的明细（{group}）已重新结算为 {id}：{split}。</translation>
    </message>
</context>
<context>
    <name>HospitalStatus</name>
    <message>
        <location filename="../../app/ui/hospital_status.py" line="26"/>
        <source>never</source>
        <translation>尚无</translation>
    </message>
    <message>
        <location filename="../../app/ui/hospital_status.py" line="30"/>
        <source>Hospital DB: lag {lag} s</source>
        <translation>医院数据：未同步时长 {lag} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/hospital_status.py" line="32"/>
        <source>Hospital DB: NOT CONNECTED, lag {lag} s</source>
        <translation>医院数据：未连接，未同步时长 {lag} 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/hospital_status.py" line="36"/>
        <source>waiting {n}</source>
        <translation>待同步 {n} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/hospital_status.py" line="37"/>
        <source>last sync {time}</source>
        <translation>上次同步 {time}</translation>
    </message>
</context>
<context>
    <name>HospitalTab</name>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="165"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="167"/>
        <source>Hospital shift report…</source>
        <translation>全院交班表…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="169"/>
        <source>This window&apos;s settlements</source>
        <translation>查看该窗口的结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="213"/>
        <source>{day}: {n} window(s); read at {time}.</source>
        <translation>{day}：共 {n} 个窗口；读取时间 {time}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="220"/>
        <source>Not ready for the hospital day close: {windows} (unresolved calls or records waiting to be sent).</source>
        <translation>以下窗口尚不能参加全院日结：{windows}（有未确认交易或待上传记录）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="229"/>
        <source>The hospital database cannot be reached; the figures shown may be old. This window keeps working; try again later or call the IT department.</source>
        <translation>暂时连接不上医院数据库，表中数字可能不是最新的。本窗口照常收费；请稍后刷新，或联系信息科。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="248"/>
        <source>Every window</source>
        <translation>全院所有窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="252"/>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="262"/>
        <source>Hospital shift report</source>
        <translation>全院交班表</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="253"/>
        <source>Window:</source>
        <translation>窗口：</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="263"/>
        <source>Cashier code (leave empty for every cashier):</source>
        <translation>收费员工号（留空表示所有收费员）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="286"/>
        <source>Preparing the hospital shift report…</source>
        <translation>正在生成全院交班表…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="313"/>
        <source>All windows</source>
        <translation>全院窗口</translation>
    </message>
</context>
<context>
    <name>IdentifyController</name>
    <message>
        <location filename="../../app/ui/identify.py" line="81"/>
        <source>Reading card…</source>
        <translation>正在读卡…</translation>
    </message>
    <message>
        <location filename="../../app/ui/identify.py" line="110"/>
        <source>The current patient&apos;s settlement is not finished; finish this bill before identifying the next patient.</source>
        <translation>当前病人的结算尚未完成，请先完成本单后再识别下一位病人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/identify.py" line="122"/>
        <source>Querying the platform…</source>
        <translation>正在查询医保平台…</translation>
    </message>
    <message>
        <location filename="../../app/ui/identify.py" line="154"/>
        <location filename="../../app/ui/identify.py" line="197"/>
        <source>Loading the visit&apos;s fee lines…</source>
        <translation>正在读取本次就诊费用…</translation>
    </message>
    <message>
        <location filename="../../app/ui/identify.py" line="177"/>
        <source>Asking the HIS for unpaid visits…</source>
        <translation>正在查询 HIS 待收费就诊…</translation>
    </message>
    <message>
        <location filename="../../app/ui/identify.py" line="245"/>
        <source>Simulated card reader selected: ↑/↓ choose a card, F2 reads it.</source>
        <translation>已选中模拟读卡器：↑/↓ 选择卡片，F2 读卡。</translation>
    </message>
</context>
<context>
    <name>IdentifyPanel</name>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="29"/>
        <source>Read card (F2)</source>
        <translation>读卡（F2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="33"/>
        <source>ID number, Enter (F3)</source>
        <translation>身份证号，回车（F3）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="46"/>
        <source>Demo: which card is in the simulated reader</source>
        <translation>演示：模拟读卡器中插入的是哪张卡</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="51"/>
        <source>Eligibility slip</source>
        <translation>资格查询单</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="58"/>
        <source>(no card in the reader)</source>
        <translation>（读卡器中无卡）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/identify_panel.py" line="61"/>
        <source>Card in reader: {name}</source>
        <translation>读卡器中的卡：{name}</translation>
    </message>
</context>
<context>
    <name>JournalTab</name>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="63"/>
        <source>Resolve now</source>
        <translation>立即处理</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="65"/>
        <source>Retry escalated reversal (supervisor)</source>
        <translation>重试转人工的冲正（需主管授权）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="67"/>
        <source>Day close and reconcile (supervisor)</source>
        <translation>日结对账（收费主管）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="69"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="136"/>
        <source>Retry the reversal of {infno} {msgid}? A supervisor enters their own code and password.</source>
        <translation>重试冲正交易 {infno} {msgid}？须由收费主管输入本人工号和密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="153"/>
        <source>Retrying the reversal…</source>
        <translation>正在重试冲正…</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="164"/>
        <source>Reversed: the platform has undone the call; no money was taken.</source>
        <translation>已冲正：医保平台已撤回该笔交易，未产生费用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="167"/>
        <source>The reversal failed again; the row stays with the supervisor. Check the connection and retry, or call the insurance office.</source>
        <translation>冲正再次失败，该笔交易仍待主管处理。请检查网络后重试，或联系医保经办机构。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="171"/>
        <source>The row is now: {state}.</source>
        <translation>该笔交易当前状态：{state}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="185"/>
        <source>Day close</source>
        <translation>日结</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="185"/>
        <source>Close the day and reconcile with the platform?</source>
        <translation>进行日结并与医保平台对账？</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="196"/>
        <source>A supervisor closes the day: the supervisor enters their own code and password.</source>
        <translation>日结须由收费主管办理：请主管输入自己的工号和密码。</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/journal_tab.py" line="223"/>
        <source>Reconciling with the platform…</source>
        <translation>正在与医保平台对账…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/shell.py" line="47"/>
        <source>Cross-province chronic-disease settlement window</source>
        <translation>门诊慢特病跨省直接结算收费窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell.py" line="76"/>
        <source>TRAINING / DEMO MODE — sandbox platform, no real settlement, no real money</source>
        <translation>培训/演示模式 — 使用沙箱平台，不产生真实结算，不收取真实费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell.py" line="89"/>
        <source>Platform: checking…</source>
        <translation>医保平台：检查中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell.py" line="95"/>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="140"/>
        <location filename="../../app/ui/shell.py" line="120"/>
        <source>Press Enter to log in.</source>
        <translation>请按回车键登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="132"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell.py" line="54"/>
        <source>Starting… the window is ready in a few seconds.</source>
        <translation>正在启动…几秒钟后即可登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell.py" line="126"/>
        <source>Log in (Enter)</source>
        <translation>登录（回车）</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="57"/>
        <source>The national platform announces maintenance: “{text}”. Direct settlement is paused until it ends.</source>
        <translation>国家医保平台通知停机维护：“{text}”。维护结束前暂停直接结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="31"/>
        <source>Platform: MAINTENANCE</source>
        <translation>医保平台：停机维护</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="35"/>
        <source>Platform: online</source>
        <translation>医保平台：在线</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="39"/>
        <source>Platform: OFFLINE (checked {time})</source>
        <translation>医保平台：离线（检查于 {time}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="44"/>
        <source>Unresolved calls: {n}</source>
        <translation>待确认交易：{n} 笔</translation>
    </message>
    <message>
        <location filename="../../app/ui/platform_status.py" line="48"/>
        <source>HIS reports pending: {n}</source>
        <translation>HIS 待回传：{n}</translation>
    </message>
</context>
<context>
    <name>OfflineSelfPay</name>
    <message>
        <location filename="../../app/ui/offline_self_pay.py" line="62"/>
        <source>Full self-pay</source>
        <translation>全额自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/offline_self_pay.py" line="64"/>
        <source>The platform cannot be reached. Collect the whole bill, {total}, in cash as full self-pay? Nothing is sent to the platform; the patient claims it back at the insured place with the receipt.</source>
        <translation>无法连接医保平台。是否按全额自费收取全部费用 {total}？不会向医保平台发送任何交易；患者凭收据回参保地申请报销。</translation>
    </message>
</context>
<context>
    <name>PatientView</name>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="70"/>
        <source>No patient. Press F2 to read the card, scan the e-voucher, or type the ID number (F3).</source>
        <translation>尚未识别患者。请按 F2 读社保卡、扫描医保电子凭证，或输入身份证号（F3）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="82"/>
        <source>The platform cannot be reached and the saved eligibility is too old ({age}) to be shown. Try again when the connection is back.</source>
        <translation>无法连接医保平台，本机缓存的参保信息已过期（{age}），不予显示。请在网络恢复后重试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="101"/>
        <source>OFFLINE — saved eligibility as of {time} ({age}); for reference only.</source>
        <translation>离线 — 本机缓存的参保信息，截至 {time}（{age}），仅供参考。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="111"/>
        <source>{age} years</source>
        <translation>{age} 岁</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="111"/>
        <source>age unknown</source>
        <translation>年龄不详</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="113"/>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="121"/>
        <source>〔U+xxxx〕 marks a rare character this computer&apos;s font cannot show; the brackets hold its Unicode number.</source>
        <translation>〔U+xxxx〕为本机字体无法显示的生僻字，括号内为该字的统一码编号（与票据一致）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="131"/>
        <location filename="../../app/ui/views/patient_view.py" line="181"/>
        <source>{label}: {value}</source>
        <translation>{label}：{value}</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="138"/>
        <source>unknown</source>
        <translation>不详</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="140"/>
        <source>cross-province patient</source>
        <translation>跨省就医</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="142"/>
        <source>NOT cross-province — use the local insurance procedure</source>
        <translation>非跨省参保 — 请按本省医保流程办理</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="144"/>
        <source>Insured place</source>
        <translation>参保地</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="145"/>
        <source>{label}: {place} ({scope})</source>
        <translation>{label}：{place}（{scope}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="152"/>
        <source>account balance</source>
        <translation>个人账户余额</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="154"/>
        <source>normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="154"/>
        <source>not active — cannot settle</source>
        <translation>非正常参保 — 不能结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="157"/>
        <source>{insurance} ({state})</source>
        <translation>{insurance}（{state}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="164"/>
        <source>No insurance returned by the platform.</source>
        <translation>平台未返回参保信息。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="166"/>
        <source>Insurance</source>
        <translation>参保险种</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="173"/>
        <source>Cross-province registration: checked by the platform when the visit is registered; without it the fees are paid in full and claimed at home.</source>
        <translation>异地就医备案：挂号登记时由平台核验；未备案的费用须全额自付，回参保地报销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="178"/>
        <source>Chronic-disease qualifications</source>
        <translation>门诊慢特病资格</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="180"/>
        <source>none on record</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="185"/>
        <source>valid {start} to {end}</source>
        <translation>有效期 {start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="187"/>
        <source>open-ended</source>
        <translation>长期</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="190"/>
        <source>in force</source>
        <translation>有效</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="191"/>
        <source>EXPIRED</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="192"/>
        <source>NOT YET VALID</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="195"/>
        <source>not a national pilot disease — cannot be settled directly</source>
        <translation>非国家跨省直接结算试点病种 — 不能直接结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="197"/>
        <source>opened at this hospital</source>
        <translation>本院已开通</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="199"/>
        <source>NOT opened at this hospital — full self-pay</source>
        <translation>本院未开通 — 全额自费</translation>
    </message>
    <message>
        <location filename="../../app/ui/views/patient_view.py" line="200"/>
        <source>{validity}, {state}; {here}</source>
        <translation>{validity}，{state}；{here}</translation>
    </message>
</context>
<context>
    <name>ReceiptActions</name>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="78"/>
        <source>Printing receipts…</source>
        <translation>正在打印收据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="85"/>
        <source>Receipts printed: {numbers}</source>
        <translation>已打印收据：{numbers}</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="110"/>
        <source>Receipt preview: {group}</source>
        <translation>票据预览：{group}</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="120"/>
        <source>Preparing the preview…</source>
        <translation>正在生成预览…</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="135"/>
        <source>Printing a copy…</source>
        <translation>正在补打…</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="151"/>
        <source>Eligibility slip (资格查询单) preview</source>
        <translation>资格查询单预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/receipt_actions.py" line="155"/>
        <source>Preparing the eligibility slip…</source>
        <translation>正在生成资格查询单…</translation>
    </message>
</context>
<context>
    <name>ReceiptPreviewDialog</name>
    <message>
        <location filename="../../app/ui/print_preview.py" line="67"/>
        <source>Receipt preview</source>
        <translation>票据预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="80"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
</context>
<context>
    <name>RefundLinesDialog</name>
    <message>
        <location filename="../../app/ui/dialogs/refund_dialog.py" line="29"/>
        <source>Partial refund</source>
        <translation>部分退费</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/refund_dialog.py" line="35"/>
        <source>{no}  {name}  {quantity} × {price} = {amount}</source>
        <translation>{no}  {name}  {quantity} × {price} = {amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/dialogs/refund_dialog.py" line="55"/>
        <source>Tick the lines the patient returns. The settlement is cancelled and the lines kept are settled again as a new bill.</source>
        <translation>请勾选患者退回的项目。原结算将被撤销，保留的项目作为新账单重新结算。</translation>
    </message>
</context>
<context>
    <name>SessionButtons</name>
    <message>
        <location filename="../../app/ui/session_screen.py" line="45"/>
        <source>Lock (Ctrl+L)</source>
        <translation>锁屏（Ctrl+L）</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="47"/>
        <source>Log out / switch user</source>
        <translation>注销 / 切换用户</translation>
    </message>
</context>
<context>
    <name>SessionScreen</name>
    <message>
        <location filename="../../app/ui/session_screen.py" line="105"/>
        <location filename="../../app/ui/session_screen.py" line="122"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="105"/>
        <source>Operator code and password</source>
        <translation>请输入工号和密码</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="131"/>
        <source>Checking password…</source>
        <translation>正在核对密码…</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="144"/>
        <source>{name} was logged out by supervisor {supervisor}.</source>
        <translation>{name} 已被收费主管{supervisor}注销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="152"/>
        <source>Operator: {name} ({role})</source>
        <translation>操作员：{name}（{role}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="167"/>
        <source>Locked by {name}. {name} presses Enter and types the password to continue; a supervisor may log {name} out instead.</source>
        <translation>屏幕已由{name}锁定。{name}请按回车并输入密码继续；也可由收费主管登录，{name}将被注销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="171"/>
        <source>Locked ({name})</source>
        <translation>已锁定（{name}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="190"/>
        <source>Logged out. Press Enter to log in.</source>
        <translation>已注销。请按回车键登录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/session_screen.py" line="191"/>
        <source>Not logged in</source>
        <translation>未登录</translation>
    </message>
</context>
<context>
    <name>SettleActions</name>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="114"/>
        <source>Settle</source>
        <translation>结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="132"/>
        <source>Settle these groups?</source>
        <translation>确认结算以下各组？</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="134"/>
        <location filename="../../app/ui/settle_actions.py" line="219"/>
        <source>Not settled:</source>
        <translation>未结算：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="141"/>
        <source>{group}: {amount} not settled</source>
        <translation>{group}：{amount} 未结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="142"/>
        <source>{group}: {amount} not settled ({reason})</source>
        <translation>{group}：{amount} 未结算（{reason}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="197"/>
        <source>Not pre-settled:</source>
        <translation>预结算未通过：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="201"/>
        <source>What to do: act on the platform&apos;s message above. F9 settles the other groups; these are not settled.</source>
        <translation>处理办法：按上面的平台提示处理。按 F9 可结算其他各组；以上各组不结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="208"/>
        <source>What to do: act on the platform&apos;s message above; nothing of this bill was settled.</source>
        <translation>处理办法：按上面的平台提示处理；本单没有任何费用结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="222"/>
        <source>What to do: act on the platform&apos;s message above, then read the card again and settle the lines not settled as a new bill; if that is not possible, these charges cannot be settled directly.</source>
        <translation>处理办法：按上面的平台提示处理后，重新读卡，把未结算的行另开一单结算；无法处理时，这部分费用不能直接结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="239"/>
        <source>Settled:</source>
        <translation>已结算：</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="244"/>
        <source>Their receipts are printed.</source>
        <translation>收据已打印。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="246"/>
        <source>Nothing of this bill was settled; no cash is due for it.</source>
        <translation>本单没有任何费用结算成功，不收现金。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="265"/>
        <source>Settlement is enabled once the unresolved calls have been checked.</source>
        <translation>正在确认未完成的医保交易，确认后方可结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="268"/>
        <source>The platform is in maintenance: direct settlement is not possible until it ends.</source>
        <translation>医保平台停机维护中，维护结束前不能直接结算。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="272"/>
        <source>Offline: direct settlement is disabled until the platform is reachable. The patient may pay the whole bill as full self-pay and claim it back at the insured place.</source>
        <translation>离线：医保平台恢复连接前不能直接结算。患者可选择全部费用全额自费，凭收据回参保地报销。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="275"/>
        <source>Eligibility is from the saved copy; read the card again when online.</source>
        <translation>当前参保信息来自本机缓存，仅供参考；联网后请重新读卡。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_actions.py" line="277"/>
        <source>Tag every line (1–9 disease, G general) before pre-settling.</source>
        <translation>请先标记每一行费用（数字键 1–9 选病种，G 为普通门诊）再预结算。</translation>
    </message>
</context>
<context>
    <name>SettleFlow</name>
    <message>
        <location filename="../../app/ui/settle_flow.py" line="120"/>
        <source>Saving the bill…</source>
        <translation>正在保存账单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_flow.py" line="133"/>
        <source>Full self-pay {id}: {split}.</source>
        <translation>全额自费 {id}：{split}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_flow.py" line="151"/>
        <source>Recording the full self-pay…</source>
        <translation>正在记录全额自费收费…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_flow.py" line="193"/>
        <source>Pre-settling {group}…</source>
        <translation>正在预结算：{group}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settle_flow.py" line="200"/>
        <location filename="../../app/ui/settle_flow.py" line="206"/>
        <source>Settling {group}…</source>
        <translation>正在结算：{group}…</translation>
    </message>
</context>
<context>
    <name>SettlePanel</name>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="47"/>
        <source>Pre-settle (F8)</source>
        <translation>预结算（F8）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="49"/>
        <source>Settle (F9)</source>
        <translation>结算（F9）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="51"/>
        <source>Preview receipt (F10)</source>
        <translation>预览票据（F10）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="53"/>
        <source>Print a copy (补打)</source>
        <translation>补打票据</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="55"/>
        <source>Next patient (F12)</source>
        <translation>下一位（F12）</translation>
    </message>
    <message>
        <location filename="../../app/ui/panels/settle_panel.py" line="58"/>
        <source>Offline: collect all as full self-pay</source>
        <translation>离线：全部按全额自费收费</translation>
    </message>
</context>
<context>
    <name>ShiftReportActions</name>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="59"/>
        <source>Shift report…</source>
        <translation>交班表……</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="61"/>
        <source>Import catalogue…</source>
        <translation>导入目录……</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="94"/>
        <source>Shift report</source>
        <translation>交班表</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="95"/>
        <source>Cashier code (leave empty for every cashier):</source>
        <translation>收费员工号（留空为全部收费员）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="116"/>
        <source>Preparing the shift report…</source>
        <translation>正在生成交班表……</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="155"/>
        <source>Reconciling with the platform…</source>
        <translation>正在与医保平台对账…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="173"/>
        <source>Import catalogue</source>
        <translation>导入目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="173"/>
        <source>Catalogue (*.json *.csv)</source>
        <translation>目录文件 (*.json *.csv)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="185"/>
        <source>Catalogue imported: {count} items.</source>
        <translation>目录已导入：{count} 条。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="193"/>
        <source>Importing the catalogue…</source>
        <translation>正在导入目录……</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="227"/>
        <source>Your role cannot do this; ask a supervisor.</source>
        <translation>当前岗位不能进行此操作，请联系收费主管。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="234"/>
        <source>Stopped; nothing was changed.</source>
        <translation>已停止，未做任何改动。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="63"/>
        <source>Sync catalogue</source>
        <translation>同步目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="209"/>
        <source>Catalogue synced: {count} items updated.</source>
        <translation>目录已同步：更新 {count} 条。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shift_report_ui.py" line="215"/>
        <source>Syncing the catalogue…</source>
        <translation>正在同步目录……</translation>
    </message>
</context>
<context>
    <name>Supervisor</name>
    <message>
        <location filename="../../app/ui/supervisor.py" line="27"/>
        <source>This account uses an authenticator app. Type the 6-digit code it shows now.</source>
        <translation>此账号已启用动态验证码。请输入手机验证器上当前显示的 6 位数字。</translation>
    </message>
    <message>
        <location filename="../../app/ui/supervisor.py" line="44"/>
        <location filename="../../app/ui/supervisor.py" line="65"/>
        <source>Supervisor authorisation</source>
        <translation>主管授权</translation>
    </message>
</context>
<context>
    <name>WindowStatusModel</name>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="71"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="72"/>
        <source>Last sync</source>
        <translation>上次同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="73"/>
        <source>Lag (s)</source>
        <translation>延迟（秒）</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="74"/>
        <source>Waiting</source>
        <translation>待上传</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="75"/>
        <source>Unresolved</source>
        <translation>未确认交易</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="76"/>
        <source>Settlements today</source>
        <translation>今日笔数</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="77"/>
        <source>Fund</source>
        <translation>统筹基金</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="78"/>
        <source>Account</source>
        <translation>个人账户</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="79"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="80"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../app/ui/tabs/hospital_tab.py" line="131"/>
        <source>never</source>
        <translation>从未同步</translation>
    </message>
</context>
<context>
    <name>WorkPage</name>
    <message>
        <location filename="../../app/ui/work_page.py" line="60"/>
        <location filename="../../app/ui/work_page.py" line="100"/>
        <source>Window</source>
        <translation>收费</translation>
    </message>
    <message>
        <location filename="../../app/ui/work_page.py" line="64"/>
        <source>Today&apos;s settlements</source>
        <translation>当日结算</translation>
    </message>
    <message>
        <location filename="../../app/ui/work_page.py" line="72"/>
        <source>Unresolved calls / day close</source>
        <translation>待确认交易 / 日结</translation>
    </message>
    <message>
        <location filename="../../app/ui/work_page.py" line="102"/>
        <source>Eligibility</source>
        <translation>资格查询</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../app/ui/errors.py" line="99"/>
        <source>The national platform is down for maintenance. {text}</source>
        <translation>国家医保平台停机维护。{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="86"/>
        <source>An internal program error occurred. The current operation has stopped; nothing was charged twice. Please tell the IT staff; the details are in the log.</source>
        <translation>程序内部错误，当前操作已停止，不会重复收费。请通知信息科，详细情况已写入日志。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="179"/>
        <source>Settlement window</source>
        <translation>收费窗口</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="186"/>
        <source>Platform said: “{detail}”</source>
        <translation>平台返回：“{detail}”</translation>
    </message>
</context>
<context>
    <name>format</name>
    <message>
        <location filename="../../app/ui/format.py" line="36"/>
        <source>{n} min ago</source>
        <translation>{n} 分钟前</translation>
    </message>
    <message>
        <location filename="../../app/ui/format.py" line="38"/>
        <source>{h} h {m} min ago</source>
        <translation>{h} 小时 {m} 分钟前</translation>
    </message>
    <message>
        <location filename="../../app/ui/format.py" line="49"/>
        <source>Total {total} = fund {fund} + account {account} + cash {cash}</source>
        <translation>合计 {total} = 统筹 {fund} + 个人账户 {account} + 现金 {cash}</translation>
    </message>
    <message>
        <location filename="../../app/ui/format.py" line="53"/>
        <source> + hospital {hospital}</source>
        <translation> + 医院负担 {hospital}</translation>
    </message>
    <message>
        <location filename="../../app/ui/format.py" line="61"/>
        <source>Cash to collect: ¥{cash}</source>
        <translation>应收现金：¥{cash}</translation>
    </message>
</context>
</TS>
