/// Every transaction cuntong sends to the city core, with what it does there. The role
/// decides what happens when an answer is lost; each transaction states its own, so a new
/// one cannot slip in with a guessed default.
package enum Transaction: String, CaseIterable, Sendable {
    case signIn = "9001"
    case signOut = "9002"
    case personInfo = "1101"
    case register = "2201"
    case cancelRegistration = "2202"
    case visitInfo = "2203"
    case feeDetails = "2204"
    case cancelFees = "2205"
    case preSettle = "2206"
    case settle = "2207"
    case reverseSettlement = "2208"
    case reverseMessage = "2601"
    case reconcile = "3201"
    // The catalogue (docs/national-platform.md, "The catalogue"): files by version, pages by
    // update time, dictionaries, and the clinic's mapping.
    case drugCatalogue = "1301"
    case herbCatalogue = "1302"
    case serviceCatalogue = "1305"
    case materialCatalogue = "1306"
    case diseaseCatalogue = "1307"
    case insuranceList = "1312"
    case mappingQuery = "1317"
    case priceCaps = "1318"
    case selfPayRatios = "1319"
    case dictionary = "1901"
    case mappingUpload = "3301"
    case mappingRevoke = "3302"
    case fileUpload = "9101"
    case fileDownload = "9102"

    package var infno: String { rawValue }

    /// The spec's name, for people.
    package var title: String {
        switch self {
        case .signIn: "签到"
        case .signOut: "签退"
        case .personInfo: "人员信息获取"
        case .register: "门诊挂号"
        case .cancelRegistration: "门诊挂号撤销"
        case .visitInfo: "门诊就诊信息上传"
        case .feeDetails: "门诊费用明细信息上传"
        case .cancelFees: "门诊费用明细信息撤销"
        case .preSettle: "门诊预结算"
        case .settle: "门诊结算"
        case .reverseSettlement: "门诊结算撤销"
        case .reverseMessage: "冲正交易"
        case .reconcile: "医药机构费用结算对总账"
        case .drugCatalogue: "西药中成药目录下载"
        case .herbCatalogue: "中药饮片目录下载"
        case .serviceCatalogue: "医疗服务项目目录下载"
        case .materialCatalogue: "医用耗材目录下载"
        case .diseaseCatalogue: "疾病与诊断目录下载"
        case .insuranceList: "医保目录信息查询"
        case .mappingQuery: "医药机构目录匹配信息查询"
        case .priceCaps: "医保目录限价信息查询"
        case .selfPayRatios: "医保目录先自付比例信息查询"
        case .dictionary: "字典表查询"
        case .mappingUpload: "目录对照上传"
        case .mappingRevoke: "目录对照撤销"
        case .fileUpload: "文件上传"
        case .fileDownload: "文件下载"
        }
    }

    package var role: MessageRole {
        switch self {
        case .signIn, .signOut, .personInfo, .preSettle, .reconcile: .query
        case .drugCatalogue, .herbCatalogue, .serviceCatalogue, .materialCatalogue, .diseaseCatalogue, .insuranceList,
             .mappingQuery, .priceCaps, .selfPayRatios, .dictionary, .fileDownload: .query
        case .register, .cancelRegistration, .visitInfo, .feeDetails, .cancelFees: .idempotentUpload
        case .mappingUpload, .mappingRevoke, .fileUpload: .idempotentUpload
        case .settle: .changesMoney
        case .reverseSettlement, .reverseMessage: .undoesMoney
        }
    }

    /// Whether `recer_sys_code` follows the patient's insurance type (LXXT for 离休 340):
    /// the transactions that settle under an insutype.
    package var receiverFollowsInsurance: Bool {
        switch self {
        case .register, .preSettle, .settle: true
        default: false
        }
    }
}

/// What a transaction does at the core, which decides what to do when its answer is lost.
package enum MessageRole: Sendable, Equatable {
    /// Changes nothing at the core (1101, 2206, 9001, 9002, 3201): a lost answer is simply
    /// a failure; never re-sent later.
    case query
    /// Records something that is safe to send again under the same msgid (the core answers
    /// a repeated msgid with its first answer): registration, uploads, cancellations.
    case idempotentUpload
    /// Moves money for a patient who is present (2207): if its answer is lost, it is not
    /// re-sent later (the patient may have gone) but reversed with 2601 冲正. If the core
    /// confirmed it (`infcode` 0), it is never reversed, whatever its output looks like.
    case changesMoney
    /// Undoes money (2208, 2601): re-sent under the same msgid until the core acknowledges.
    case undoesMoney

    /// The role of a journaled message; nil for an infno this version does not send (a
    /// journal from elsewhere), which recovery leaves for a person.
    package init?(infno: String) {
        guard let t = Transaction(rawValue: infno) else { return nil }
        self = t.role
    }

    /// Re-sent under its own msgid by recovery until the core answers.
    package var isResent: Bool { self == .idempotentUpload || self == .undoesMoney }
}
