import Foundation

/// A small deterministic PRNG (SplitMix64): the catalogue is the same on every run and every
/// machine, and any row can be generated on its own (seeded by its list and index).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ a: [T]) -> T { a[int(a.count)] }
    /// True with probability `percent` %.
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    static func seed(_ list: String, _ index: Int, salt: UInt64 = 0) -> SplitMix64 {
        var h: UInt64 = 1469598103934665603
        for b in list.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return SplitMix64(seed: h ^ (UInt64(index) &* 0x2545_F491_4F6C_DD1D) ^ salt)
    }
}

/// Words the generated catalogue is made of: real generic names, dosage forms, herbs,
/// service items, consumables and manufacturers, and the first letters of their pinyin.
enum CatalogueVocabulary {
    /// Western generic names with the ATC group their national code carries (X + ATC5 + …).
    static let generics: [(name: String, atc: String, english: String)] = [
        ("对乙酰氨基酚", "N02BE", "Paracetamol"), ("阿莫西林", "J01CA", "Amoxicillin"), ("布洛芬", "M01AE", "Ibuprofen"),
        ("阿司匹林", "B01AC", "Aspirin"), ("双氯芬酸钠", "M01AB", "Diclofenac Sodium"), ("头孢氨苄", "J01DB", "Cefalexin"),
        ("头孢拉定", "J01DB", "Cefradine"), ("头孢克肟", "J01DD", "Cefixime"), ("头孢呋辛酯", "J01DC", "Cefuroxime Axetil"),
        ("头孢克洛", "J01DC", "Cefaclor"), ("阿奇霉素", "J01FA", "Azithromycin"), ("红霉素", "J01FA", "Erythromycin"),
        ("罗红霉素", "J01FA", "Roxithromycin"), ("克拉霉素", "J01FA", "Clarithromycin"), ("左氧氟沙星", "J01MA", "Levofloxacin"),
        ("环丙沙星", "J01MA", "Ciprofloxacin"), ("诺氟沙星", "J01MA", "Norfloxacin"), ("甲硝唑", "P01AB", "Metronidazole"),
        ("替硝唑", "P01AB", "Tinidazole"), ("硝苯地平", "C08CA", "Nifedipine"), ("苯磺酸氨氯地平", "C08CA", "Amlodipine Besylate"),
        ("卡托普利", "C09AA", "Captopril"), ("马来酸依那普利", "C09AA", "Enalapril Maleate"), ("缬沙坦", "C09CA", "Valsartan"),
        ("氯沙坦钾", "C09CA", "Losartan Potassium"), ("酒石酸美托洛尔", "C07AB", "Metoprolol Tartrate"),
        ("阿替洛尔", "C07AB", "Atenolol"), ("盐酸二甲双胍", "A10BA", "Metformin Hydrochloride"), ("格列齐特", "A10BB", "Gliclazide"),
        ("格列美脲", "A10BB", "Glimepiride"), ("阿卡波糖", "A10BF", "Acarbose"), ("辛伐他汀", "C10AA", "Simvastatin"),
        ("阿托伐他汀钙", "C10AA", "Atorvastatin Calcium"), ("奥美拉唑", "A02BC", "Omeprazole"), ("雷尼替丁", "A02BA", "Ranitidine"),
        ("法莫替丁", "A02BA", "Famotidine"), ("多潘立酮", "A03FA", "Domperidone"), ("蒙脱石", "A07BC", "Montmorillonite"),
        ("氯雷他定", "R06AX", "Loratadine"), ("西替利嗪", "R06AE", "Cetirizine"), ("马来酸氯苯那敏", "R06AB", "Chlorphenamine Maleate"),
        ("地塞米松", "H02AB", "Dexamethasone"), ("醋酸泼尼松", "H02AB", "Prednisone Acetate"), ("氢氯噻嗪", "C03AA", "Hydrochlorothiazide"),
        ("呋塞米", "C03CA", "Furosemide"), ("维生素B1", "A11DA", "Vitamin B1"), ("维生素B6", "A11HA", "Vitamin B6"),
        ("维生素C", "A11GA", "Vitamin C"), ("葡萄糖", "B05BA", "Glucose"), ("氯化钠", "B05XA", "Sodium Chloride"),
        ("盐酸氨溴索", "R05CB", "Ambroxol Hydrochloride"), ("复方甘草", "R05XA", "Compound Liquorice"),
        ("复方氨酚烷胺", "N02BE", "Compound Paracetamol and Amantadine"), ("氨咖黄敏", "N02BE", "Paracetamol, Caffeine, Artificial Cow-bezoar and Chlorphenamine"),
        ("利巴韦林", "J05AB", "Ribavirin"), ("阿昔洛韦", "J05AB", "Aciclovir"),
    ]
    /// Chinese patent medicines (中成药, national code Z…).
    static let patents: [(name: String, group: String)] = [
        ("板蓝根", "A01AA"), ("双黄连", "A01AB"), ("连花清瘟", "A01BA"), ("藿香正气", "A04AB"), ("六味地黄", "A12EA"),
        ("感冒清热", "A01AC"), ("小柴胡", "A01BC"), ("银翘解毒", "A01AD"), ("牛黄解毒", "A03AB"), ("复方丹参", "A11BA"),
        ("速效救心", "A11BB"), ("银黄", "A03AC"), ("清开灵", "A03AD"), ("蒲地蓝消炎", "A03AE"),
    ]
    static let westernForms: [(name: String, code: String, unit: String)] = [
        ("片", "A001", "片"), ("胶囊", "E001", "粒"), ("缓释片", "A005", "片"), ("缓释胶囊", "E005", "粒"), ("分散片", "A011", "片"),
        ("肠溶片", "A003", "片"), ("肠溶胶囊", "E003", "粒"), ("颗粒", "N001", "袋"), ("注射液", "B002", "支"), ("口服溶液", "X001", "瓶"),
        ("糖浆", "X002", "瓶"), ("干混悬剂", "N003", "袋"), ("软膏", "F001", "支"), ("滴眼液", "G001", "支"), ("含片", "T001", "片"),
        ("咀嚼片", "A009", "片"), ("泡腾片", "A013", "片"),
    ]
    static let patentForms: [(name: String, code: String, unit: String)] = [
        ("颗粒", "N001", "袋"), ("胶囊", "E001", "粒"), ("片", "A001", "片"), ("丸", "P001", "丸"), ("口服液", "X003", "支"),
        ("软胶囊", "E007", "粒"), ("滴丸", "P003", "丸"), ("合剂", "X004", "瓶"),
    ]
    static let manufacturers = [
        "华北制药股份有限公司", "石药集团欧意药业有限公司", "哈药集团制药总厂", "山东新华制药股份有限公司", "上海信谊药厂有限公司",
        "广州白云山制药股份有限公司", "修正药业集团股份有限公司", "扬子江药业集团有限公司", "江西汇仁药业股份有限公司",
        "江西济民可信药业有限公司", "仁和药业有限公司", "华润三九医药股份有限公司", "太极集团重庆涪陵制药厂有限公司",
        "云南白药集团股份有限公司", "北京同仁堂科技发展股份有限公司制药厂", "石家庄以岭药业股份有限公司", "中美天津史克制药有限公司",
        "国药集团致君(深圳)制药有限公司", "浙江医药股份有限公司新昌制药厂", "齐鲁制药有限公司", "辰欣药业股份有限公司",
        "四川科伦药业股份有限公司", "江西草珊瑚药业有限公司", "江西南昌济生制药有限责任公司", "江中药业股份有限公司",
    ]
    static let herbs = ["甘草", "黄芪", "当归", "党参", "白术", "茯苓", "陈皮", "半夏", "川芎", "白芍", "金银花", "连翘", "桔梗",
                        "枸杞子", "山药", "熟地黄", "麦冬", "五味子", "大枣", "生姜", "薄荷", "菊花", "柴胡", "防风", "荆芥", "桂枝", "葛根"]
    static let herbPrefixes = ["", "", "炙", "炒", "酒", "醋", "蜜"]
    static let services = ["一般诊疗费", "静脉输液", "肌肉注射", "皮下注射", "静脉注射", "换药", "清创缝合", "血常规检查", "尿常规检查",
                           "心电图检查", "血糖测定", "针灸", "推拿", "拔罐", "雾化吸入", "吸氧", "导尿", "灌肠", "B超检查", "X线摄影",
                           "测血压", "诊查费"]
    static let serviceQualifiers = ["", "（村卫生室）", "（乡镇卫生院）", "（每增加一组）", "（儿童）"]
    static let materials = ["一次性使用无菌注射器", "一次性使用输液器", "医用棉签", "医用纱布", "医用胶带", "静脉留置针",
                            "一次性导尿管", "医用外科口罩", "医用检查手套", "输液贴", "压舌板", "体温计"]
    static let diseases: [(code: String, name: String)] = [
        ("A09", "感染性腹泻"), ("B01", "水痘"), ("E11", "2型糖尿病"), ("E78", "高脂血症"), ("I10", "原发性高血压"),
        ("I25", "慢性缺血性心脏病"), ("I63", "脑梗死"), ("J02", "急性咽炎"), ("J03", "急性扁桃体炎"), ("J06", "急性上呼吸道感染"),
        ("J18", "肺炎"), ("J20", "急性支气管炎"), ("J44", "慢性阻塞性肺病"), ("K21", "胃食管反流病"), ("K29", "胃炎"),
        ("K52", "非感染性胃肠炎"), ("L30", "皮炎"), ("M17", "膝关节病"), ("M54", "背痛"), ("N39", "泌尿道感染"), ("R50", "发热"),
    ]
    static let diseaseQualifiers = ["", "伴并发症", "不伴并发症", "急性发作", "慢性", "轻度", "中度", "重度", "复发性", "未特指"]

    /// First letter of the pinyin of each character used above (拼音助记码), ASCII kept as is.
    static let initials: [Character: Character] = {
        let table = """
            对D乙Y酰X氨A基J酚F阿A莫M西X林L复F方F甘G草C维W生S素S头T孢B克K洛L布B芬F司S匹P双S氯L钠N苄B拉L定D肟W呋F辛X酯Z
            奇Q霉M红H罗L左Z氧Y氟F沙S星X环H丙B诺N甲J硝X唑Z替T苯B地D平P磺H酸S卡K托T普P利L马M来L依Y那N缬X坦T钾J酒J石S
            美M盐Y二E胍G格G列L齐Q特T脲N波B糖T伐F他T汀T钙G奥A雷L尼N丁D法F多D潘P立L酮T蒙M脱T嗪Q醋C泼P松S氢Q噻S塞S米M
            葡P萄T化H溴X索S烷W胺A咖K黄H敏M巴B韦W昔X片P胶J囊N缓H释S分F散S肠C溶R颗K粒L注Z射S液Y口K服F浆J干G混H悬X
            剂J软R膏G滴D眼Y含H咀J嚼J泡P腾T板B蓝L根G连L花H清Q瘟W藿H香X正Z气Q六L味W丸W感G冒M热R小X柴C胡H银Y翘Q
            解J毒D牛N丹D参S速S效X救J心X开K灵L蒲P消X炎Y水S合H芪Q当D归G党D白B术Z茯F苓L陈C皮P半B夏X川C芎X芍S金J
            桔J梗G枸G杞Q子Z山S药Y熟S麦M冬D五W大D枣Z姜J薄B荷H菊J防F风F荆J芥J桂G枝Z葛G炙Z炒C蜜M
            一Y般B诊Z疗L费F静J脉M输S肌J肉R下X换H创C缝F血X常C规G检J查C尿N电D图T测C针Z灸J推T拿N拔B罐G雾W吸X入R
            导D灌G超C线X摄S影Y压Y村C卫W室S乡X镇Z院Y每M增Z加J组Z儿E童T次C性X使S用Y无W菌J器Q医Y棉M签Q纱S带D
            留L置Z管G外W科K罩Z手S套T贴T舌S体T温W计J停T
            """
        var map: [Character: Character] = [:]
        var chars = Array(table.filter { !$0.isWhitespace })
        while chars.count >= 2 {
            map[chars[0]] = chars[1]
            chars.removeFirst(2)
        }
        return map
    }()

    /// 拼音助记码: the first letter of each character's pinyin (阿莫西林胶囊 → AMXLJN), letters and
    /// digits kept, anything in brackets and other punctuation left out.
    static func pinyin(_ name: String) -> String {
        var out = ""
        var depth = 0
        for ch in name {
            if ch == "（" || ch == "(" { depth += 1; continue }
            if ch == "）" || ch == ")" { depth = max(0, depth - 1); continue }
            guard depth == 0 else { continue }
            if ch.isASCII, ch.isLetter || ch.isNumber { out.append(Character(ch.uppercased())) } else if let i = initials[ch] { out.append(i) }
        }
        return out
    }

    /// 五笔助记码: a plausible-looking code (one letter A–Y per character, derived from the
    /// character), not real 五笔; no client may rely on it beyond storing it.
    static func wubi(_ name: String) -> String {
        var out = ""
        for ch in name where !"（）()".contains(ch) {
            if ch.isASCII { if ch.isLetter || ch.isNumber { out.append(Character(ch.uppercased())) }; continue }
            let v = ch.unicodeScalars.first!.value
            out.append(Character(UnicodeScalar(UInt8(65 + Int(v % 25)))))
        }
        return out
    }
}
