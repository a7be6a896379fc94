/**
 * Unicode TS #39 §5.2 restriction levels for names: a name must be at least "Highly Restrictive",
 * so `pаypal` (Latin with one Cyrillic а) is refused while `王小明`, `Иван`, `Tanaka 田中たなか` pass.
 * The engine's own Script_Extensions (`\p{scx=…}`) is the data, so server and page agree without
 * shipping a table; only the list of script names is spelled here.
 */

/** Every Unicode script (long names, as `\p{scx=…}` takes them), up to Unicode 17. */
// biome-ignore format: a list of names reads better packed than one a line
const SCRIPT_NAMES = [
  "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak",
  "Bengali", "Beria_Erfe", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
  "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Coptic", "Cuneiform", "Cypriot",
  "Cypro_Minoan", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs",
  "Elbasan", "Elymaic", "Ethiopic", "Garay", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
  "Gunjala_Gondi", "Gurmukhi", "Gurung_Khema", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew",
  "Hiragana", "Imperial_Aramaic", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi", "Kannada",
  "Katakana", "Kawi", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Kirat_Rai",
  "Lao", "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar",
  "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui",
  "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean",
  "Nag_Mundari", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki",
  "Ol_Onal", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian",
  "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene",
  "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada",
  "Shavian", "Siddham", "Sidetic", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese",
  "Sunuwar", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Tai_Yo", "Takri",
  "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Todhri", "Tolong_Siki",
  "Toto", "Tulu_Tigalari", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
] as const;

/** Common and Inherited characters (digits, punctuation, combining marks) belong to every script (§5.1). */
const ANY_SCRIPT = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;
/** All-ASCII names are Latin plus Common: the usual case skips the per-script scan. */
const PRINTABLE_ASCII = /^[ -~]*$/;

/**
 * The scripts this engine knows. An older browser refuses the names of scripts newer than it; a
 * character of such a script then matches none and counts as a script of its own ("Unknown").
 */
let knownScripts: { name: string; pattern: RegExp }[] | undefined;
function scriptPatterns(): { name: string; pattern: RegExp }[] {
  knownScripts ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [{ name, pattern: new RegExp(`^\\p{scx=${name}}$`, "u") }];
    } catch {
      return [];
    }
  });
  return knownScripts;
}

/**
 * A character's Script_Extensions, augmented as §5.1 says: Han, Hiragana and Katakana are all
 * Japanese (Jpan), Han and Bopomofo Hanb, Han and Hangul Korean (Kore), so `田中たなか` is one script.
 */
function augmentedScripts(char: string): Set<string> {
  const scripts = new Set<string>();
  for (const { name, pattern } of scriptPatterns()) if (pattern.test(char)) scripts.add(name);
  if (scripts.size === 0) scripts.add("Unknown");
  if (scripts.has("Han")) for (const alias of ["Jpan", "Hanb", "Kore"]) scripts.add(alias);
  if (scripts.has("Hiragana") || scripts.has("Katakana")) scripts.add("Jpan");
  if (scripts.has("Bopomofo")) scripts.add("Hanb");
  if (scripts.has("Hangul")) scripts.add("Kore");
  return scripts;
}

/** §5.2 Highly Restrictive: Latin may join one of these (each already augmented). */
const LATIN_WITH = ["Jpan", "Hanb", "Kore"] as const;

export type NameScriptCheck = { ok: true } | { ok: false; scripts: string[]; reason: string };

/**
 * Whether `name` is at least Highly Restrictive (TS #39 §5.2): one script (Common and Inherited
 * characters count for any), or Latin with Han and Hiragana/Katakana, Han and Bopomofo, or Han and
 * Hangul. Refusals name the scripts found, so the person can tell which letter is the odd one.
 */
export function checkNameScripts(name: string): NameScriptCheck {
  if (PRINTABLE_ASCII.test(name)) return { ok: true };
  const perChar: Set<string>[] = [];
  for (const char of name) if (!ANY_SCRIPT.test(char)) perChar.push(augmentedScripts(char));
  const [first, ...rest] = perChar;
  if (!first) return { ok: true };
  const common = new Set([...first].filter((script) => rest.every((scripts) => scripts.has(script))));
  if (common.size > 0) return { ok: true };
  const covered = LATIN_WITH.some((other) => perChar.every((scripts) => scripts.has("Latin") || scripts.has(other)));
  if (covered) return { ok: true };
  const scripts = [...new Set(perChar.map((set) => [...set][0] as string))].map((script) => script.replaceAll("_", " "));
  return {
    ok: false,
    scripts,
    reason: `name mixes scripts (${scripts.join(", ")}): use the letters of one script (Latin may go with Chinese, Japanese or Korean)`,
  };
}
