import type { Catalog } from "./index";

export const is: Catalog = {
  "app.name": "Tengsl",
  "app.tagline": "Pantanir, erindi og endurgjöf á einum stað",
  "meta.description":
    "Þjónustugáttin: pantanir og sendingar, þjónustubeiðnir, endurgjöf og aðgangurinn þinn.",

  "nav.main": "Aðalvalmynd",
  "nav.home": "Forsíða",
  "nav.orders": "Pantanir",
  "nav.requests": "Erindi",
  "nav.feedback": "Endurgjöf",
  "nav.account": "Aðgangur",
  "nav.staffHome": "Starfsmannasvæði",
  "nav.signIn": "Innskráning",
  "nav.signUp": "Stofna aðgang",
  "nav.signOut": "Útskrá",
  "nav.skipToContent": "Fara beint í efni",
  "nav.signedInAs": "Innskráð(ur) sem {name}",

  "locale.label": "Tungumál",
  "locale.apply": "Breyta",
  "locale.en": "English",
  "locale.is": "Íslenska",

  "landing.title": "Allt sem er á milli okkar, á einum stað",
  "landing.lead":
    "Fylgstu með pöntunum og sendingum, fáðu aðstoð og fylgdu samtalinu eftir, segðu okkur hvað þér finnst og hafðu umsjón með aðganginum þínum og gögnunum þínum.",
  "landing.ordersTitle": "Pantanir og sendingar",
  "landing.ordersBody": "Sjáðu hvar hver pöntun er stödd, með rakningu fyrir hverja sendingu.",
  "landing.requestsTitle": "Þjónustubeiðnir",
  "landing.requestsBody": "Biddu um aðstoð og fylgdu öllu samtalinu við teymið okkar.",
  "landing.feedbackTitle": "Endurgjöf",
  "landing.feedbackBody": "Gefðu vörunum einkunn og segðu okkur hvernig okkur gengur.",
  "landing.haveAccount": "Ertu nú þegar með aðgang?",

  "signIn.title": "Innskráning",
  "signIn.lead": "Velkomin(n) aftur. Skráðu þig inn til að sjá pantanir og erindi.",
  "signIn.submit": "Skrá inn",
  "signIn.noAccount": "Ný(r) hér?",
  "signIn.createAccount": "Stofna aðgang",
  "signIn.signedOut": "Þú hefur verið skráð(ur) út.",

  "signUp.title": "Stofnaðu aðgang",
  "signUp.lead": "Notaðu netfangið sem þú verslar með, svo pantanirnar þínar birtist.",
  "signUp.submit": "Stofna aðgang",
  "signUp.haveAccount": "Ertu nú þegar með aðgang?",
  "signUp.passwordHint": "Að minnsta kosti 10 stafir.",

  "field.name": "Fullt nafn",
  "field.email": "Netfang",
  "field.password": "Lykilorð",

  "form.errorSummary": "Vinsamlegast lagfærðu eftirfarandi:",

  "auth.wrongCredentials": "Netfang eða lykilorð er rangt.",
  "auth.emailTaken": "Aðgangur með þessu netfangi er þegar til. Viltu skrá þig inn í staðinn?",

  "validation.nameRequired": "Sláðu inn nafnið þitt.",
  "validation.nameTooLong": "Nafnið má vera í mesta lagi 100 stafir.",
  "validation.emailRequired": "Sláðu inn netfangið þitt.",
  "validation.emailInvalid": "Sláðu inn netfang eins og nafn@daemi.is.",
  "validation.passwordRequired": "Sláðu inn lykilorðið þitt.",
  "validation.passwordTooShort": "Lykilorðið þarf að vera að minnsta kosti 10 stafir.",
  "validation.passwordTooLong": "Lykilorðið má vera í mesta lagi 256 stafir.",

  "home.welcome": "Velkomin(n), {name}",
  "home.lead": "Hér er allt sem varðar aðganginn þinn.",
  "home.accountPerson": "Einstaklingsaðgangur",
  "home.accountBusiness": "Fyrirtækjaaðgangur",
  "home.contacts": "Aðrir tengiliðir á þessum aðgangi",
  "home.noContacts": "Þú ert eini tengiliðurinn á þessum aðgangi.",
  "home.ordersBody": "Fylgstu með pöntunum og sendingum.",
  "home.requestsBody": "Fáðu aðstoð og fylgdu samtalinu eftir.",
  "home.feedbackBody": "Segðu okkur hvað þér finnst.",
  "home.accountBody": "Upplýsingarnar þínar, tungumál og gögn.",

  "comingSoon.badge": "Væntanlegt",
  "comingSoon.title": "{section} er á leiðinni",
  "comingSoon.body":
    "Verið er að smíða þennan hluta gáttarinnar. Þangað til hann er tilbúinn geturðu sent okkur tölvupóst og við hjálpum þér.",
  "comingSoon.back": "Aftur á forsíðu",

  "account.title": "Aðgangurinn þinn",
  "account.profile": "Upplýsingar",
  "account.accountName": "Aðgangur",
  "account.role": "Hlutverk",
  "account.preferences": "Stillingar",
  "account.language": "Tungumál",
  "account.languageHint": "Síður og tölvupóstar eru á þessu tungumáli.",
  "account.save": "Vista",
  "account.saved": "Vistað.",

  "role.customer": "Viðskiptavinur",
  "role.agent": "Þjónustufulltrúi",
  "role.admin": "Kerfisstjóri",

  "staff.title": "Starfsmannasvæði",
  "staff.lead": "Hér verða erindi, viðskiptavinir og greining á endurgjöf.",
  "staff.personAccounts": "Einstaklingsaðgangar",
  "staff.businessAccounts": "Fyrirtækjaaðgangar",
  "staff.customers": "Viðskiptavinir",
  "staff.staff": "Starfsfólk",
  "staff.team": "Teymið",
  "staff.teamEmpty": "Ekkert starfsfólk enn.",
  "staff.joined": "Bættist við",
  "staff.inboxTitle": "Innhólf",
  "staff.inboxBody": "Þjónustubeiðnir munu berast hingað.",

  "error.403.title": "Þú hefur ekki aðgang að þessari síðu",
  "error.403.body":
    "Þessi síða er ætluð annarri tegund aðgangs. Ef þú telur að þú ættir að hafa aðgang skaltu hafa samband við kerfisstjóra.",
  "error.404.title": "Síðan fannst ekki",
  "error.404.body":
    "Við fundum ekki þessa síðu. Hún gæti hafa verið færð eða hlekkurinn er rangur.",
  "error.500.title": "Eitthvað fór úrskeiðis",
  "error.500.body": "Okkur tókst ekki að ljúka þessu. Reyndu aftur eftir smástund.",
  "error.goHome": "Fara á forsíðu",

  "error.unauthorized": "Skráðu þig inn til að halda áfram.",
  "error.forbidden": "Þú hefur ekki aðgang að þessu.",
  "error.notFound": "Við fundum þetta ekki.",
  "error.tooManyRequests": "Of margar tilraunir. Bíddu aðeins og reyndu aftur.",
  "error.tooLarge": "Þetta er of stórt til að senda.",
  "error.invalidInput": "Sumar upplýsingarnar eru ekki gildar.",
  "error.invalidField": "Þetta gildi er ekki gilt.",
  "error.unexpected": "Eitthvað fór úrskeiðis. Reyndu aftur.",

  "footer.note": "Þjónustugátt Tengsl",
};
