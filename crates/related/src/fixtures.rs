//! Test articles, written for these tests (the companies, people and figures are invented),
//! and the newsroom rewrites of them that must stay one story.

use crate::{Config, Doc, Engine};

/// The original story: a shipping company's results (business).
pub(crate) const RESULTS_TITLE: &str = "Norvale Shipping profit jumps on Salalah port deal";
pub(crate) const RESULTS: [&str; 6] = [
    "Norvale Shipping, the Oslo-based container line, said on Tuesday that its quarterly \
     profit rose 41% to $312m after a new agreement gave it priority berths at the port of \
     Salalah in Oman.",
    "The company, which carries about 8% of the world's seaborne containers, also raised its \
     forecast for the full year. Chief executive Ingrid Solberg said demand from Asian \
     manufacturers had recovered faster than expected. She added that freight rates on the \
     main routes had stopped falling.",
    "\"We are seeing volumes we have not seen since before the pandemic,\" Ms Solberg told \
     analysts on a conference call. \"The Salalah agreement lets us move cargo between Asia \
     and Europe two days faster than our rivals.\"",
    "Shares in Norvale rose 6.5% in early trading in Oslo, valuing the firm at about 94 \
     billion kroner. Analysts at Fjord Securities said the results were well ahead of their \
     estimates and praised the cost cuts made last year.",
    "The port deal, signed in March with the Omani government, runs for 12 years and \
     includes plans for a second container terminal. Oman hopes the investment will turn \
     Salalah into a rival for the giant Jebel Ali port in Dubai.",
    "Norvale warned, however, that higher fuel prices and new European emissions rules would \
     raise its costs next year. It expects to spend $1.2bn on cleaner ships by 2027, most of \
     it on vessels that can run on methanol.",
];

/// A different story about the same company, people and port: a hard negative.
pub(crate) const CHAIRMAN_TITLE: &str = "Norvale Shipping names Henriksen as chairman";
pub(crate) const CHAIRMAN: [&str; 5] = [
    "Norvale Shipping has appointed former finance minister Lars Henriksen as its chairman, \
     the Oslo-based container line said on Friday, ending a six-month search for a successor \
     to Astrid Moe.",
    "Mr Henriksen, 61, replaces Ms Moe, who stepped down in January after a dispute with \
     shareholders over the company's dividend policy and the pay of senior managers.",
    "Chief executive Ingrid Solberg said the board had chosen \"a chairman who understands \
     both shipping and government\". Mr Henriksen led Norway's finance ministry from 2013 \
     to 2017 and later advised several pension funds.",
    "The appointment comes as Norvale expands in the Middle East, where it recently won \
     priority access to the port of Salalah in Oman, and prepares to order a new generation \
     of ships.",
    "Some investors had pushed for an outsider with experience in logistics software. Fjord \
     Securities analyst Per Dahl said the choice was \"safe rather than bold\" but should \
     calm relations with the largest shareholders.",
];

/// Unrelated stories from other sections, for a realistic background.
pub(crate) const OTHERS: [(&str, &str, [&str; 3]); 4] = [
    (
        "sport",
        "Harlow Rovers reach cup semi-final",
        [
            "Harlow Rovers reached the semi-finals of the county cup with a 3-1 win over \
             Bexley Town on a frozen pitch on Saturday afternoon.",
            "Striker Tom Okafor scored twice before half-time and goalkeeper Sam Reid saved \
             a penalty in the second half to keep the visitors at bay.",
            "Manager Dave Lyle said his players had shown great character after a difficult \
             run of league defeats, and that the club would now aim for the final.",
        ],
    ),
    (
        "politics",
        "Council approves new cycle lanes",
        [
            "Councillors in Westbury voted on Thursday to approve twelve miles of new cycle \
             lanes across the town centre, despite objections from shop owners.",
            "The plan, which will cost about £4m, removes parking spaces from three main \
             streets. Council leader Priya Shah said it would cut traffic and pollution.",
            "Opposition councillors called for a public vote and warned that small \
             businesses would lose customers during two years of road works.",
        ],
    ),
    (
        "tech",
        "Chipmaker unveils faster phone processor",
        [
            "Chipmaker Velotek has unveiled a processor for mobile phones that it says runs \
             artificial intelligence software twice as fast as its previous design.",
            "The chip will appear in handsets from three manufacturers later this year, the \
             company said at a trade show in Taipei on Wednesday.",
            "Analysts said the launch would put pressure on larger rivals, although battery \
             life and heat remain problems for such powerful mobile processors.",
        ],
    ),
    (
        "business",
        "Central bank holds interest rates",
        [
            "The central bank held interest rates at 4.5% on Thursday, saying inflation was \
             falling but remained above its target of 2%.",
            "Governor Helen Marsh said the committee wanted more evidence that wage growth \
             was slowing before it would consider cutting borrowing costs.",
            "Economists had expected the decision, although two members of the committee \
             voted for an immediate cut, citing weak retail sales and factory output.",
        ],
    ),
];

/// An article from a title and paragraphs.
pub(crate) fn article(id: i64, section: &str, title: &str, paragraphs: &[&str]) -> Doc {
    Doc {
        id,
        title: title.to_string(),
        standfirst: None,
        body: paragraphs.join("\n\n"),
        section: Some(section.to_string()),
        tags: Vec::new(),
        published_at: 1_700_000_000,
    }
}

/// The background stories, with ids from 100 up.
pub(crate) fn background() -> Vec<Doc> {
    OTHERS
        .iter()
        .enumerate()
        .map(|(i, (section, title, paragraphs))| {
            article(100 + i as i64, section, title, paragraphs)
        })
        .collect()
}

/// The results story's id in [`newsroom`].
pub(crate) const RESULTS_ID: i64 = 1;
/// The chairman story's id in [`newsroom`].
pub(crate) const CHAIRMAN_ID: i64 = 20;

/// An engine with `docs` upserted in order.
pub(crate) fn engine_with(docs: &[Doc]) -> Engine {
    let mut engine = Engine::new(Config::default());
    for d in docs {
        engine.upsert(d);
    }
    engine
}

/// Background, the results story, its rewrites (ids 2..), the chairman story and an
/// exact copy of it (21), and a copy of a background story (203).
pub(crate) fn newsroom() -> Vec<Doc> {
    let mut docs = background();
    docs.push(article(RESULTS_ID, "business", RESULTS_TITLE, &RESULTS));
    for (i, (_, title, paragraphs)) in rewrites().into_iter().enumerate() {
        let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        docs.push(article(2 + i as i64, "business", &title, &paragraphs));
    }
    docs.push(article(CHAIRMAN_ID, "business", CHAIRMAN_TITLE, &CHAIRMAN));
    docs.push(article(21, "business", CHAIRMAN_TITLE, &CHAIRMAN));
    let mut copy = docs[3].clone();
    copy.id = 203;
    docs.push(copy);
    docs
}

/// An article with a title and body only.
pub(crate) fn plain(id: i64, title: &str, body: String) -> Doc {
    Doc {
        id,
        title: title.to_string(),
        body,
        ..Doc::default()
    }
}

/// The kinds of rewrite a news desk makes to a story (as `make_neardup.py` scripts them).
pub(crate) fn rewrites() -> Vec<(&'static str, String, Vec<String>)> {
    let p: Vec<String> = RESULTS.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();

    let mut reordered = p.clone();
    reordered.swap(2, 3);
    reordered[1] = "Chief executive Ingrid Solberg said demand from Asian manufacturers had \
                    recovered faster than expected. The company, which carries about 8% of the \
                    world's seaborne containers, also raised its forecast for the full year. She \
                    added that freight rates on the main routes had stopped falling."
        .to_string();
    out.push(("sentences reordered", RESULTS_TITLE.to_string(), reordered));

    let mut dropped = p.clone();
    dropped.remove(4);
    out.push(("a paragraph dropped", RESULTS_TITLE.to_string(), dropped));

    let mut added = p.clone();
    added.push(OTHERS[3].2[1].to_string());
    out.push(("a paragraph added", RESULTS_TITLE.to_string(), added));

    let figures: Vec<String> = p
        .iter()
        .map(|s| {
            s.replace("41%", "43%")
                .replace("$312m", "$318m")
                .replace("6.5%", "7.1%")
        })
        .collect();
    out.push(("figures updated", RESULTS_TITLE.to_string(), figures));

    out.push((
        "headline restyled",
        format!("UPDATE 1-{}", RESULTS_TITLE.to_uppercase()),
        p.clone(),
    ));

    let mut attribution: Vec<String> = p
        .iter()
        .map(|s| {
            s.replace("said on Tuesday", "told reporters on Tuesday")
                .replace("told analysts", "said")
                .replace(
                    "Analysts at Fjord Securities said",
                    "According to Fjord Securities,",
                )
        })
        .collect();
    attribution[0] = format!("OSLO (Reuters) - {}", attribution[0]);
    out.push((
        "attribution changed",
        RESULTS_TITLE.to_string(),
        attribution,
    ));

    out.push(("cut short", RESULTS_TITLE.to_string(), p[..3].to_vec()));
    out
}
