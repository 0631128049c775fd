// Word lists and message templates for the scale seed. faker has no Icelandic locale, so Icelandic names,
// places and support text are kept here; English names and products come from faker in scale.ts.

export const isFemaleNames = [
  "Guðrún",
  "Anna",
  "Sigríður",
  "Kristín",
  "Margrét",
  "Helga",
  "Sigrún",
  "Ingibjörg",
  "Jóhanna",
  "María",
  "Katrín",
  "Elín",
  "Ásta",
  "Hildur",
  "Bryndís",
  "Ragnheiður",
  "Steinunn",
  "Þórunn",
  "Halldóra",
  "Edda",
  "Birna",
  "Erla",
  "Hrafnhildur",
  "Lilja",
  "Sólveig",
  "Unnur",
  "Valgerður",
  "Þóra",
  "Auður",
  "Eva",
  "Rakel",
  "Sara",
  "Embla",
  "Freyja",
  "Hekla",
  "Arndís",
  "Dagný",
  "Harpa",
];

export const isMaleNames = [
  "Jón",
  "Sigurður",
  "Guðmundur",
  "Gunnar",
  "Ólafur",
  "Einar",
  "Kristján",
  "Magnús",
  "Stefán",
  "Björn",
  "Árni",
  "Helgi",
  "Páll",
  "Ragnar",
  "Halldór",
  "Bjarni",
  "Pétur",
  "Karl",
  "Þórður",
  "Friðrik",
  "Davíð",
  "Baldur",
  "Egill",
  "Hörður",
  "Sveinn",
  "Þorsteinn",
  "Óskar",
  "Gísli",
  "Hannes",
  "Ingólfur",
  "Atli",
  "Birgir",
  "Elvar",
  "Haukur",
  "Kári",
  "Snorri",
  "Tómas",
  "Ari",
];

/** Fathers' names in the genitive, for patronymics (Jóns + dóttir). */
export const isFathersGenitive = [
  "Jóns",
  "Sigurðar",
  "Guðmundar",
  "Gunnars",
  "Ólafs",
  "Einars",
  "Kristjáns",
  "Magnúsar",
  "Stefáns",
  "Björns",
  "Árna",
  "Helga",
  "Páls",
  "Ragnars",
  "Halldórs",
  "Bjarna",
  "Péturs",
  "Karls",
  "Þórðar",
  "Friðriks",
  "Davíðs",
  "Baldurs",
  "Egils",
  "Harðar",
  "Sveins",
  "Þorsteins",
  "Óskars",
  "Gísla",
  "Hannesar",
  "Ingólfs",
  "Atla",
  "Birgis",
  "Hauks",
  "Kára",
  "Snorra",
  "Tómasar",
];

export const isCompanyStems = [
  "Norðurljós",
  "Hraun",
  "Fjalla",
  "Vík",
  "Esju",
  "Kötlu",
  "Bláfells",
  "Heiðar",
  "Sæ",
  "Jökul",
  "Lunda",
  "Ránar",
  "Heklu",
  "Garða",
  "Dals",
  "Hafnar",
  "Skógar",
  "Fossa",
  "Eld",
  "Stjörnu",
];
export const isCompanyEndings = [
  "verk",
  "tækni",
  "ráðgjöf",
  "smiðja",
  "lausnir",
  "ferðir",
  "sport",
  "útgerð",
  "bygg",
  "hús",
  "vörur",
  "flutningar",
  "bakarí",
  "kaup",
  "hönnun",
];

export const isStreets = [
  "Laugavegur",
  "Hverfisgata",
  "Skólavörðustígur",
  "Bankastræti",
  "Hafnarstræti",
  "Suðurgata",
  "Tryggvagata",
  "Borgartún",
  "Síðumúli",
  "Ármúli",
  "Hamraborg",
  "Strandgata",
  "Glerárgata",
  "Hafnargata",
  "Austurvegur",
  "Kirkjuvegur",
  "Aðalstræti",
  "Brekkugata",
  "Hringbraut",
  "Miklabraut",
];

export const isTowns: readonly (readonly [string, string])[] = [
  ["101", "Reykjavík"],
  ["105", "Reykjavík"],
  ["107", "Reykjavík"],
  ["108", "Reykjavík"],
  ["200", "Kópavogur"],
  ["210", "Garðabær"],
  ["220", "Hafnarfjörður"],
  ["230", "Reykjanesbær"],
  ["270", "Mosfellsbær"],
  ["300", "Akranes"],
  ["310", "Borgarnes"],
  ["400", "Ísafjörður"],
  ["600", "Akureyri"],
  ["640", "Húsavík"],
  ["700", "Egilsstaðir"],
  ["710", "Seyðisfjörður"],
  ["780", "Höfn"],
  ["800", "Selfoss"],
  ["900", "Vestmannaeyjar"],
];

/** Icelandic products beside faker's English ones, so product searches hit both languages. */
export const isProducts = [
  "Lopapeysa, handprjónuð",
  "Ullarsokkar, 2 pör",
  "Regnjakki Katla",
  "Gönguskór Esja",
  "Hitabrúsi 0,75 L",
  "Bakpoki 30 L",
  "Húfa úr íslenskri ull",
  "Svefnpoki -10°C",
  "Tjald fyrir tvo",
  "Vettlingar",
  "Flíspeysa Hekla",
  "Ullarteppi",
  "Göngustafir",
  "Höfuðljós",
  "Kaffikanna",
  "Prjónagarn Léttlopi",
  "Trefill úr ull",
  "Ullarnærföt",
  "Sundpoki",
  "Kuldagalli barna",
];

export const carriers = ["posturinn", "dhl", "ups", "dropp"] as const;

/**
 * Support conversations by topic, in both languages. {p} is a product, {o} an order number, {n} the
 * customer's first name, {c} a carrier, {d} a number of days. The topics' weights make some words common
 * ("order", "pöntun") and some rare ("warranty", "ábyrgð"), so search benchmarks meet both.
 */
export interface Topic {
  weight: number;
  en: { subjects: string[]; customer: string[]; staff: string[]; notes: string[] };
  is: { subjects: string[]; customer: string[]; staff: string[]; notes: string[] };
}

export const topics: Topic[] = [
  {
    weight: 30,
    en: {
      subjects: [
        "Where is my order {o}?",
        "Delivery of order {o} is late",
        "Tracking has not moved for {o}",
        "Parcel not delivered",
      ],
      customer: [
        "The tracking for order {o} has not moved for {d} days. Could you check with {c}?",
        "My parcel with the {p} was supposed to arrive last week but the delivery has not come.",
        "I ordered the {p} and the tracking page says the parcel is at the depot. When will it be delivered?",
        "Still no delivery. Is the parcel lost?",
      ],
      staff: [
        "Hi {n}, I checked with {c} and the parcel is on its way; it should be delivered within {d} days.",
        "Thank you for waiting, {n}. The tracking was not updated but your order {o} has left our warehouse.",
        "Hi {n}, the parcel was delayed at the depot. We have asked {c} to prioritise the delivery.",
      ],
      notes: [
        "Asked {c} for a trace on the parcel.",
        "Carrier confirms delay, check again in {d} days.",
      ],
    },
    is: {
      subjects: [
        "Hvar er pöntunin mín {o}?",
        "Sending á pöntun {o} seinkar",
        "Rakning hefur ekki hreyfst",
        "Pakkinn ekki kominn",
      ],
      customer: [
        "Rakningin á pöntun {o} hefur ekki hreyfst í {d} daga. Getið þið athugað hjá {c}?",
        "Pakkinn með {p} átti að koma í síðustu viku en sendingin er ekki komin.",
        "Ég pantaði {p} og rakningarsíðan segir að pakkinn sé á dreifingarstöð. Hvenær kemur hann?",
        "Enn engin sending. Er pakkinn týndur?",
      ],
      staff: [
        "Sæl/l {n}, ég athugaði hjá {c} og pakkinn er á leiðinni; hann ætti að berast innan {d} daga.",
        "Takk fyrir þolinmæðina, {n}. Rakningin uppfærðist ekki en pöntun {o} er farin frá lagernum.",
      ],
      notes: [
        "Bað {c} um að rekja pakkann.",
        "Flutningsaðili staðfestir seinkun, athuga aftur eftir {d} daga.",
      ],
    },
  },
  {
    weight: 20,
    en: {
      subjects: [
        "Return and refund for {p}",
        "Refund not received",
        "How do I return the {p}?",
        "Wrong size, want to exchange",
      ],
      customer: [
        "I would like to return the {p} from order {o}. It is the wrong size. How do I get a refund?",
        "I sent the {p} back {d} days ago but have not received the refund yet.",
        "Can I exchange the {p} for a bigger size instead of a refund?",
      ],
      staff: [
        "Hi {n}, you can return the item within 30 days. Bring it to any post office with the return label and we refund within {d} days of receiving it.",
        "Hi {n}, we received the return and the refund for order {o} is on its way to your card.",
        "Hi {n}, an exchange is no problem. Send the {p} back and we ship the new size at once.",
      ],
      notes: [
        "Refund approved, waiting for the return to arrive.",
        "Customer has returned items before; ok to refund.",
      ],
    },
    is: {
      subjects: [
        "Skil og endurgreiðsla á {p}",
        "Endurgreiðsla ekki borist",
        "Hvernig skila ég {p}?",
        "Röng stærð, vil skipta",
      ],
      customer: [
        "Mig langar að skila {p} úr pöntun {o}. Stærðin er röng. Hvernig fæ ég endurgreiðslu?",
        "Ég sendi {p} til baka fyrir {d} dögum en endurgreiðslan hefur ekki borist.",
        "Get ég skipt {p} í stærri stærð í stað endurgreiðslu?",
      ],
      staff: [
        "Sæl/l {n}, þú getur skilað vörunni innan 30 daga. Farðu með hana á pósthús og við endurgreiðum innan {d} daga.",
        "Sæl/l {n}, við höfum móttekið skilin og endurgreiðslan fyrir pöntun {o} er á leið á kortið þitt.",
      ],
      notes: [
        "Endurgreiðsla samþykkt, bíð eftir að varan berist.",
        "Viðskiptavinur hefur skilað áður; í lagi að endurgreiða.",
      ],
    },
  },
  {
    weight: 15,
    en: {
      subjects: [
        "Invoice for order {o}",
        "Question about payment",
        "Charged twice",
        "Need a VAT invoice",
      ],
      customer: [
        "Could you send me an invoice for order {o}? Our accounting needs it with the VAT shown.",
        "My card was charged twice for order {o}. Please check the payment.",
        "We pay by invoice with {d} days' credit. The invoice has not arrived.",
      ],
      staff: [
        "Hi {n}, the invoice for order {o} is attached to your order page; VAT is shown on every line.",
        "Hi {n}, the second charge was a reservation and it will drop off your card within {d} days.",
      ],
      notes: ["Payment provider confirms one capture only.", "Finance asked to resend invoice."],
    },
    is: {
      subjects: [
        "Reikningur fyrir pöntun {o}",
        "Spurning um greiðslu",
        "Rukkað tvisvar",
        "Vantar reikning með VSK",
      ],
      customer: [
        "Getið þið sent mér reikning fyrir pöntun {o}? Bókhaldið þarf hann með virðisaukaskatti.",
        "Kortið mitt var rukkað tvisvar fyrir pöntun {o}. Vinsamlegast athugið greiðsluna.",
      ],
      staff: [
        "Sæl/l {n}, reikningurinn fyrir pöntun {o} er á pöntunarsíðunni; VSK kemur fram á hverri línu.",
        "Sæl/l {n}, seinni færslan var frátekt sem fellur niður innan {d} daga.",
      ],
      notes: ["Greiðslumiðlun staðfestir eina færslu.", "Bókhald beðið að senda reikning aftur."],
    },
  },
  {
    weight: 15,
    en: {
      subjects: [
        "Question about the {p}",
        "Is the {p} waterproof?",
        "Washing instructions for {p}",
        "Size guide",
      ],
      customer: [
        "Is the {p} suitable for hiking in winter? I am not sure which size to choose.",
        "How should I wash the {p}? The label is hard to read.",
        "Will the {p} be back in stock soon?",
      ],
      staff: [
        "Hi {n}, the {p} works well in winter; we recommend one size up if you wear a thick sweater under it.",
        "Hi {n}, wash the {p} by hand in cold water and dry it flat.",
        "Hi {n}, we expect the {p} back in stock within {d} days.",
      ],
      notes: ["Asked the buyer about restock dates."],
    },
    is: {
      subjects: [
        "Spurning um {p}",
        "Er {p} vatnsheld?",
        "Þvottaleiðbeiningar fyrir {p}",
        "Stærðartafla",
      ],
      customer: [
        "Hentar {p} í göngur á veturna? Ég er ekki viss hvaða stærð ég á að velja.",
        "Hvernig á ég að þvo {p}? Miðinn er ólæsilegur.",
        "Kemur {p} aftur á lager fljótlega?",
      ],
      staff: [
        "Sæl/l {n}, {p} hentar vel á veturna; við mælum með stærð fyrir ofan ef þú ert í þykkri peysu.",
        "Sæl/l {n}, þvoðu {p} í höndunum í köldu vatni og leggðu til þerris.",
      ],
      notes: ["Spurði innkaupadeild um lagerstöðu."],
    },
  },
  {
    weight: 8,
    en: {
      subjects: ["Damaged item in order {o}", "The {p} arrived broken"],
      customer: [
        "The {p} arrived damaged; the box was crushed. I attach a photo.",
        "One item in order {o} was broken when I opened the parcel.",
      ],
      staff: [
        "Hi {n}, I am sorry the {p} arrived damaged. We are sending a replacement today, no need to return the broken one.",
      ],
      notes: ["Claim filed with {c} for the damaged parcel."],
    },
    is: {
      subjects: ["Skemmd vara í pöntun {o}", "{p} kom brotin"],
      customer: [
        "{p} kom skemmd; kassinn var kraminn. Mynd fylgir.",
        "Ein vara í pöntun {o} var brotin þegar ég opnaði pakkann.",
      ],
      staff: [
        "Sæl/l {n}, leitt að heyra að {p} kom skemmd. Við sendum nýja í dag og þú þarft ekki að skila þeirri brotnu.",
      ],
      notes: ["Tjón tilkynnt til {c}."],
    },
  },
  {
    weight: 7,
    en: {
      subjects: [
        "Cannot sign in",
        "Change the email on my account",
        "Add a colleague to our account",
      ],
      customer: [
        "I cannot sign in to my account; the password reset mail never arrives.",
        "Please change the email on my account, I have a new address.",
        "How do I add a colleague so they can see our orders?",
      ],
      staff: [
        "Hi {n}, the reset mail was caught by your spam filter. I have sent it again.",
        "Hi {n}, an admin contact of your account can invite colleagues from the account page.",
      ],
      notes: ["Checked mail log, delivered to spam folder."],
    },
    is: {
      subjects: [
        "Kemst ekki inn",
        "Breyta netfangi á aðgangi",
        "Bæta samstarfsmanni við aðganginn",
      ],
      customer: [
        "Ég kemst ekki inn á aðganginn minn; póstur til að endurstilla lykilorð berst aldrei.",
        "Vinsamlegast breytið netfanginu mínu, ég er með nýtt.",
      ],
      staff: ["Sæl/l {n}, pósturinn lenti í ruslsíu. Ég hef sent hann aftur."],
      notes: ["Athugaði póstskrá, fór í ruslpóst."],
    },
  },
  {
    weight: 3,
    en: {
      subjects: ["Warranty claim for {p}", "Zipper broke on the {p}"],
      customer: ["The zipper on the {p} broke after {d} weeks. Is it covered by the warranty?"],
      staff: [
        "Hi {n}, the {p} has a two-year warranty. Send it to us and we repair or replace it.",
      ],
      notes: ["Warranty case, supplier to be informed."],
    },
    is: {
      subjects: ["Ábyrgð á {p}", "Rennilásinn bilaði á {p}"],
      customer: ["Rennilásinn á {p} bilaði eftir {d} vikur. Fellur það undir ábyrgð?"],
      staff: [
        "Sæl/l {n}, tveggja ára ábyrgð er á {p}. Sendu okkur hana og við gerum við eða skiptum.",
      ],
      notes: ["Ábyrgðarmál, láta birgja vita."],
    },
  },
];

export const greetings = {
  en: ["Hi,", "Hello,", "Good day,", ""],
  is: ["Halló,", "Góðan dag,", "Sæl,", ""],
};
export const closings = {
  en: ["Thanks.", "Best regards.", "Thank you for your help!", ""],
  is: ["Takk fyrir.", "Kær kveðja.", "Bestu kveðjur!", ""],
};

/** Widget comments, kind by kind: happy, neutral and unhappy, in both languages. */
export const feedbackComments = {
  en: {
    good: [
      "Great service, fast delivery!",
      "Love the {p}, fits perfectly.",
      "Easy to find what I needed.",
      "Very helpful staff.",
    ],
    mid: [
      "The {p} is fine but shipping took a while.",
      "OK, the site could be faster.",
      "Hard to find the size guide.",
    ],
    bad: [
      "The delivery was late and nobody answered.",
      "The {p} broke after a week.",
      "Checkout failed twice.",
      "Prices too high for the quality.",
    ],
  },
  is: {
    good: [
      "Frábær þjónusta, hröð sending!",
      "Elska {p}, passar fullkomlega.",
      "Auðvelt að finna það sem ég leitaði að.",
    ],
    mid: ["{p} er fín en sendingin tók tíma.", "Allt í lagi, vefurinn mætti vera hraðari."],
    bad: [
      "Sendingin kom seint og enginn svaraði.",
      "{p} bilaði eftir viku.",
      "Greiðslan mistókst tvisvar.",
    ],
  },
};
