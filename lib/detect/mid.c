/*
 * mid.c - Maritime Identification Digits (ITU-R M.585, Table of MIDs kept by
 * the ITU): which country a MID (201-775) is allocated to, and the forms of
 * MMSI that carry one, for the invalid-MMSI check (spoof.c) and flag-state
 * rules (zones).
 *
 * The table is generated from libais's docs/mid.csv (github.com/schwehr/libais
 * at 87dadfaa1b4db0b0e9953680051391f2c4375455, Apache-2.0, copy in
 * ../shared/data/ais/libais/mid.csv), country names kept verbatim:
 *   tail -n +2 mid.csv | sed 's/^\([0-9]*\),\(".*"\)$/    [\1 - MID_MIN] = \2,/'
 * plus one allocation the snapshot lacks, marked "added" below: 374, Panama
 * (real 2021 traffic uses it: six distinct 374xxxxxx ships in AISdb's
 * 2021-11-01 capture; current MID lists give 370-374 to Panama).
 */
#include <stdio.h>

#include "detect/internal.h"

#define MID_MIN 201
#define MID_MAX 775

static const char *const mid_country[MID_MAX - MID_MIN + 1] = {
    [201 - MID_MIN] = "Albania (Republic of)",
    [202 - MID_MIN] = "Andorra (Principality of)",
    [203 - MID_MIN] = "Austria",
    [204 - MID_MIN] = "Azores - Portugal",
    [205 - MID_MIN] = "Belgium",
    [206 - MID_MIN] = "Belarus (Republic of)",
    [207 - MID_MIN] = "Bulgaria (Republic of)",
    [208 - MID_MIN] = "Vatican City State",
    [209 - MID_MIN] = "Cyprus (Republic of)",
    [210 - MID_MIN] = "Cyprus (Republic of)",
    [211 - MID_MIN] = "Germany (Federal Republic of)",
    [212 - MID_MIN] = "Cyprus (Republic of)",
    [213 - MID_MIN] = "Georgia",
    [214 - MID_MIN] = "Moldova (Republic of)",
    [215 - MID_MIN] = "Malta",
    [216 - MID_MIN] = "Armenia (Republic of)",
    [218 - MID_MIN] = "Germany (Federal Republic of)",
    [219 - MID_MIN] = "Denmark",
    [220 - MID_MIN] = "Denmark",
    [224 - MID_MIN] = "Spain",
    [225 - MID_MIN] = "Spain",
    [226 - MID_MIN] = "France",
    [227 - MID_MIN] = "France",
    [228 - MID_MIN] = "France",
    [229 - MID_MIN] = "Malta",
    [230 - MID_MIN] = "Finland",
    [231 - MID_MIN] = "Faroe Islands - Denmark",
    [232 - MID_MIN] = "United Kingdom of Great Britain and Northern Ireland",
    [233 - MID_MIN] = "United Kingdom of Great Britain and Northern Ireland",
    [234 - MID_MIN] = "United Kingdom of Great Britain and Northern Ireland",
    [235 - MID_MIN] = "United Kingdom of Great Britain and Northern Ireland",
    [236 - MID_MIN] = "Gibraltar - United Kingdom of Great Britain and Northern Ireland",
    [237 - MID_MIN] = "Greece",
    [238 - MID_MIN] = "Croatia (Republic of)",
    [239 - MID_MIN] = "Greece",
    [240 - MID_MIN] = "Greece",
    [241 - MID_MIN] = "Greece",
    [242 - MID_MIN] = "Morocco (Kingdom of)",
    [243 - MID_MIN] = "Hungary",
    [244 - MID_MIN] = "Netherlands (Kingdom of the)",
    [245 - MID_MIN] = "Netherlands (Kingdom of the)",
    [246 - MID_MIN] = "Netherlands (Kingdom of the)",
    [247 - MID_MIN] = "Italy",
    [248 - MID_MIN] = "Malta",
    [249 - MID_MIN] = "Malta",
    [250 - MID_MIN] = "Ireland",
    [251 - MID_MIN] = "Iceland",
    [252 - MID_MIN] = "Liechtenstein (Principality of)",
    [253 - MID_MIN] = "Luxembourg",
    [254 - MID_MIN] = "Monaco (Principality of)",
    [255 - MID_MIN] = "Madeira - Portugal",
    [256 - MID_MIN] = "Malta",
    [257 - MID_MIN] = "Norway",
    [258 - MID_MIN] = "Norway",
    [259 - MID_MIN] = "Norway",
    [261 - MID_MIN] = "Poland (Republic of)",
    [262 - MID_MIN] = "Montenegro",
    [263 - MID_MIN] = "Portugal",
    [264 - MID_MIN] = "Romania",
    [265 - MID_MIN] = "Sweden",
    [266 - MID_MIN] = "Sweden",
    [267 - MID_MIN] = "Slovak Republic",
    [268 - MID_MIN] = "San Marino (Republic of)",
    [269 - MID_MIN] = "Switzerland (Confederation of)",
    [270 - MID_MIN] = "Czech Republic",
    [271 - MID_MIN] = "Turkey",
    [272 - MID_MIN] = "Ukraine",
    [273 - MID_MIN] = "Russian Federation",
    [274 - MID_MIN] = "The Former Yugoslav Republic of Macedonia",
    [275 - MID_MIN] = "Latvia (Republic of)",
    [276 - MID_MIN] = "Estonia (Republic of)",
    [277 - MID_MIN] = "Lithuania (Republic of)",
    [278 - MID_MIN] = "Slovenia (Republic of)",
    [279 - MID_MIN] = "Serbia (Republic of)",
    [301 - MID_MIN] = "Anguilla - United Kingdom of Great Britain and Northern Ireland",
    [303 - MID_MIN] = "Alaska (State of) - United States of America",
    [304 - MID_MIN] = "Antigua and Barbuda",
    [305 - MID_MIN] = "Antigua and Barbuda",
    [306 - MID_MIN] = "Anilles, Bonaire, Sint Eustatius and Saba - Netherlands (Kingdom of the)",
    [307 - MID_MIN] = "Aruba - Netherlands (Kingdom of the)",
    [308 - MID_MIN] = "Bahamas (Commonwealth of the)",
    [309 - MID_MIN] = "Bahamas (Commonwealth of the)",
    [310 - MID_MIN] = "Bermuda - United Kingdom of Great Britain and Northern Ireland",
    [311 - MID_MIN] = "Bahamas (Commonwealth of the)",
    [312 - MID_MIN] = "Belize",
    [314 - MID_MIN] = "Barbados",
    [316 - MID_MIN] = "Canada",
    [319 - MID_MIN] = "Cayman Islands - United Kingdom of Great Britain and Northern Ireland",
    [321 - MID_MIN] = "Costa Rica",
    [323 - MID_MIN] = "Cuba",
    [325 - MID_MIN] = "Dominica (Commonwealth of)",
    [327 - MID_MIN] = "Dominican Republic",
    [329 - MID_MIN] = "Guadeloupe (French Department of) - France",
    [330 - MID_MIN] = "Grenada",
    [331 - MID_MIN] = "Greenland - Denmark",
    [332 - MID_MIN] = "Guatemala (Republic of)",
    [334 - MID_MIN] = "Honduras (Republic of)",
    [336 - MID_MIN] = "Haiti (Republic of)",
    [338 - MID_MIN] = "United States of America",
    [339 - MID_MIN] = "Jamaica",
    [341 - MID_MIN] = "Saint Kitts and Nevis (Federation of)",
    [343 - MID_MIN] = "Saint Lucia",
    [345 - MID_MIN] = "Mexico",
    [347 - MID_MIN] = "Martinique (French Department of) - France",
    [348 - MID_MIN] = "Montserrat - United Kingdom of Great Britain and Northern Ireland",
    [350 - MID_MIN] = "Nicaragua",
    [351 - MID_MIN] = "Panama (Republic of)",
    [352 - MID_MIN] = "Panama (Republic of)",
    [353 - MID_MIN] = "Panama (Republic of)",
    [354 - MID_MIN] = "Panama (Republic of)",
    [355 - MID_MIN] = "Panama (Republic of)",
    [356 - MID_MIN] = "Panama (Republic of)",
    [357 - MID_MIN] = "Panama (Republic of)",
    [358 - MID_MIN] = "Puerto Rico - United States of America",
    [359 - MID_MIN] = "El Salvador (Republic of)",
    [361 - MID_MIN] = "Saint Pierre and Miquelon (Territorial Collectivity of) - France",
    [362 - MID_MIN] = "Trinidad and Tobago",
    [364 - MID_MIN] = "Turks and Caicos Islands - United Kingdom of Great Britain and Northern Ireland",
    [366 - MID_MIN] = "United States of America",
    [367 - MID_MIN] = "United States of America",
    [368 - MID_MIN] = "United States of America",
    [369 - MID_MIN] = "United States of America",
    [370 - MID_MIN] = "Panama (Republic of)",
    [371 - MID_MIN] = "Panama (Republic of)",
    [372 - MID_MIN] = "Panama (Republic of)",
    [373 - MID_MIN] = "Panama (Republic of)",
    [374 - MID_MIN] = "Panama (Republic of)",     /* added: not in mid.csv */
    [375 - MID_MIN] = "Saint Vincent and the Grenadines",
    [376 - MID_MIN] = "Saint Vincent and the Grenadines",
    [377 - MID_MIN] = "Saint Vincent and the Grenadines",
    [378 - MID_MIN] = "British Virgin Islands - United Kingdom of Great Britain and Northern Ireland",
    [379 - MID_MIN] = "United States Virgin Islands - United States of America",
    [401 - MID_MIN] = "Afghanistan",
    [403 - MID_MIN] = "Saudi Arabia (Kingdom of)",
    [405 - MID_MIN] = "Bangladesh (People's Republic of)",
    [408 - MID_MIN] = "Bahrain (Kingdom of)",
    [410 - MID_MIN] = "Bhutan (Kingdom of)",
    [412 - MID_MIN] = "China (People's Republic of)",
    [413 - MID_MIN] = "China (People's Republic of)",
    [414 - MID_MIN] = "China (People's Republic of)",
    [416 - MID_MIN] = "Taiwan (Province of China) - China (People's Republic of)",
    [417 - MID_MIN] = "Sri Lanka (Democratic Socialist Republic of)",
    [419 - MID_MIN] = "India (Republic of)",
    [422 - MID_MIN] = "Iran (Islamic Republic of)",
    [423 - MID_MIN] = "Azerbaijan (Republic of)",
    [425 - MID_MIN] = "Iraq (Republic of)",
    [428 - MID_MIN] = "Israel (State of)",
    [431 - MID_MIN] = "Japan",
    [432 - MID_MIN] = "Japan",
    [434 - MID_MIN] = "Turkmenistan",
    [436 - MID_MIN] = "Kazakhstan (Republic of)",
    [437 - MID_MIN] = "Uzbekistan (Republic of)",
    [438 - MID_MIN] = "Jordan (Hashemite Kingdom of)",
    [440 - MID_MIN] = "Korea (Republic of)",
    [441 - MID_MIN] = "Korea (Republic of)",
    [443 - MID_MIN] = "State of Palestine (In accordance with Resolution 99 Rev. Guadalajara, 2010)",
    [445 - MID_MIN] = "Democratic People's Republic of Korea",
    [447 - MID_MIN] = "Kuwait (State of)",
    [450 - MID_MIN] = "Lebanon",
    [451 - MID_MIN] = "Kyrgyz Republic",
    [453 - MID_MIN] = "Macao (Special Administrative Region of China) - China (People's Republic of)",
    [455 - MID_MIN] = "Maldives (Republic of)",
    [457 - MID_MIN] = "Mongolia",
    [459 - MID_MIN] = "Nepal (Federal Democratic Republic of)",
    [461 - MID_MIN] = "Oman (Sultanate of)",
    [463 - MID_MIN] = "Pakistan (Islamic Republic of)",
    [466 - MID_MIN] = "Qatar (State of)",
    [468 - MID_MIN] = "Syrian Arab Republic",
    [470 - MID_MIN] = "United Arab Emirates",
    [472 - MID_MIN] = "Tajikistan (Republic of)",
    [473 - MID_MIN] = "Yemen (Republic of)",
    [475 - MID_MIN] = "Yemen (Republic of)",
    [477 - MID_MIN] = "Hong Kong (Special Administrative Region of China) - China (People's Republic of)",
    [478 - MID_MIN] = "Bosnia and Herzegovina",
    [501 - MID_MIN] = "Adelie Land - France",
    [503 - MID_MIN] = "Australia",
    [506 - MID_MIN] = "Myanmar (Union of)",
    [508 - MID_MIN] = "Brunei Darussalam",
    [510 - MID_MIN] = "Micronesia (Federated States of)",
    [511 - MID_MIN] = "Palau (Republic of)",
    [512 - MID_MIN] = "New Zealand",
    [514 - MID_MIN] = "Cambodia (Kingdom of)",
    [515 - MID_MIN] = "Cambodia (Kingdom of)",
    [516 - MID_MIN] = "Christmas Island (Indian Ocean) - Australia",
    [518 - MID_MIN] = "Cook Islands - New Zealand",
    [520 - MID_MIN] = "Fiji (Republic of)",
    [523 - MID_MIN] = "Cocos (Keeling) Islands - Australia",
    [525 - MID_MIN] = "Indonesia (Republic of)",
    [529 - MID_MIN] = "Kiribati (Republic of)",
    [531 - MID_MIN] = "Lao People's Democratic Republic",
    [533 - MID_MIN] = "Malaysia",
    [536 - MID_MIN] = "Northern Mariana Islands (Commonwealth of the) - United States of America",
    [538 - MID_MIN] = "Marshall Islands (Republic of the)",
    [540 - MID_MIN] = "New Caledonia - France",
    [542 - MID_MIN] = "Niue - New Zealand",
    [544 - MID_MIN] = "Nauru (Republic of)",
    [546 - MID_MIN] = "French Polynesia - France",
    [548 - MID_MIN] = "Philippines (Republic of the)",
    [553 - MID_MIN] = "Papua New Guinea",
    [555 - MID_MIN] = "Pitcairn Island - United Kingdom of Great Britain and Northern Ireland",
    [557 - MID_MIN] = "Solomon Islands",
    [559 - MID_MIN] = "American Samoa - United States of America",
    [561 - MID_MIN] = "Samoa (Independent State of)",
    [563 - MID_MIN] = "Singapore (Republic of)",
    [564 - MID_MIN] = "Singapore (Republic of)",
    [565 - MID_MIN] = "Singapore (Republic of)",
    [566 - MID_MIN] = "Singapore (Republic of)",
    [567 - MID_MIN] = "Thailand",
    [570 - MID_MIN] = "Tonga (Kingdom of)",
    [572 - MID_MIN] = "Tuvalu",
    [574 - MID_MIN] = "Viet Nam (Socialist Republic of)",
    [576 - MID_MIN] = "Vanuatu (Republic of)",
    [577 - MID_MIN] = "Vanuatu (Republic of)",
    [578 - MID_MIN] = "Wallis and Futuna Islands - France",
    [601 - MID_MIN] = "South Africa (Republic of)",
    [603 - MID_MIN] = "Angola (Republic of)",
    [605 - MID_MIN] = "Algeria (People's Democratic Republic of)",
    [607 - MID_MIN] = "Saint Paul and Amsterdam Islands - France",
    [608 - MID_MIN] = "Ascension Island - United Kingdom of Great Britain and Northern Ireland",
    [609 - MID_MIN] = "Burundi (Republic of)",
    [610 - MID_MIN] = "Benin (Republic of)",
    [611 - MID_MIN] = "Botswana (Republic of)",
    [612 - MID_MIN] = "Central African Republic",
    [613 - MID_MIN] = "Cameroon (Republic of)",
    [615 - MID_MIN] = "Congo (Republic of the)",
    [616 - MID_MIN] = "Comoros (Union of the)",
    [617 - MID_MIN] = "Cabo Verde (Republic of)",
    [618 - MID_MIN] = "Crozet Archipelago - France",
    [619 - MID_MIN] = "Cote d'Ivoire (Republic of)",
    [620 - MID_MIN] = "Comoros (Union of the)",
    [621 - MID_MIN] = "Djibouti (Republic of)",
    [622 - MID_MIN] = "Egypt (Arab Republic of)",
    [624 - MID_MIN] = "Ethiopia (Federal Democratic Republic of)",
    [625 - MID_MIN] = "Eritrea",
    [626 - MID_MIN] = "Gabonese Republic",
    [627 - MID_MIN] = "Ghana",
    [629 - MID_MIN] = "Gambia (Republic of the)",
    [630 - MID_MIN] = "Guinea-Bissau (Republic of)",
    [631 - MID_MIN] = "Equatorial Guinea (Republic of)",
    [632 - MID_MIN] = "Guinea (Republic of)",
    [633 - MID_MIN] = "Burkina Faso",
    [634 - MID_MIN] = "Kenya (Republic of)",
    [635 - MID_MIN] = "Kerguelen Islands - France",
    [636 - MID_MIN] = "Liberia (Republic of)",
    [637 - MID_MIN] = "Liberia (Republic of)",
    [638 - MID_MIN] = "South Sudan (Republic of)",
    [642 - MID_MIN] = "Libya",
    [644 - MID_MIN] = "Lesotho (Kingdom of)",
    [645 - MID_MIN] = "Mauritius (Republic of)",
    [647 - MID_MIN] = "Madagascar (Republic of)",
    [649 - MID_MIN] = "Mali (Republic of)",
    [650 - MID_MIN] = "Mozambique (Republic of)",
    [654 - MID_MIN] = "Mauritania (Islamic Republic of)",
    [655 - MID_MIN] = "Malawi",
    [656 - MID_MIN] = "Niger (Republic of the)",
    [657 - MID_MIN] = "Nigeria (Federal Republic of)",
    [659 - MID_MIN] = "Namibia (Republic of)",
    [660 - MID_MIN] = "Reunion (French Department of) - France",
    [661 - MID_MIN] = "Rwanda (Republic of)",
    [662 - MID_MIN] = "Sudan (Republic of the)",
    [663 - MID_MIN] = "Senegal (Republic of)",
    [664 - MID_MIN] = "Seychelles (Republic of)",
    [665 - MID_MIN] = "Saint Helena - United Kingdom of Great Britain and Northern Ireland",
    [666 - MID_MIN] = "Somalia (Federal Republic of)",
    [667 - MID_MIN] = "Sierra Leone",
    [668 - MID_MIN] = "Sao Tome and Principe (Democratic Republic of)",
    [669 - MID_MIN] = "Swaziland (Kingdom of)",
    [670 - MID_MIN] = "Chad (Republic of)",
    [671 - MID_MIN] = "Togolese Republic",
    [672 - MID_MIN] = "Tunisia",
    [674 - MID_MIN] = "Tanzania (United Republic of)",
    [675 - MID_MIN] = "Uganda (Republic of)",
    [676 - MID_MIN] = "Democratic Republic of the Congo",
    [677 - MID_MIN] = "Tanzania (United Republic of)",
    [678 - MID_MIN] = "Zambia (Republic of)",
    [679 - MID_MIN] = "Zimbabwe (Republic of)",
    [701 - MID_MIN] = "Argentine Republic",
    [710 - MID_MIN] = "Brazil (Federative Republic of)",
    [720 - MID_MIN] = "Bolivia (Plurinational State of)",
    [725 - MID_MIN] = "Chile",
    [730 - MID_MIN] = "Colombia (Republic of)",
    [735 - MID_MIN] = "Ecuador",
    [740 - MID_MIN] = "Falkland Islands (Malvinas) - United Kingdom of Great Britain and Northern Ireland",
    [745 - MID_MIN] = "Guiana (French Department of) - France",
    [750 - MID_MIN] = "Guyana",
    [755 - MID_MIN] = "Paraguay (Republic of)",
    [760 - MID_MIN] = "Peru",
    [765 - MID_MIN] = "Suriname (Republic of)",
    [770 - MID_MIN] = "Uruguay (Eastern Republic of)",
    [775 - MID_MIN] = "Venezuela (Bolivarian Republic of)",
};

const char *det_mid_country(unsigned mid)
{
    return mid >= MID_MIN && mid <= MID_MAX ? mid_country[mid - MID_MIN] : NULL;
}

/* `mid` when it is in the range a MID can take, else 0. */
static unsigned mid_or_0(unsigned mid)
{
    return mid >= MID_MIN && mid <= MID_MAX ? mid : 0;
}

/*
 * The forms of ITU-R M.585-9 (Annexes 1-5), told apart by the leading digits
 * of the MMSI written as 9 digits with leading zeros. `div` cuts the MMSI to
 * its leading digits, which must equal `lead`; `mid_div` then cuts it to
 * "lead digits + MID", whose last 3 digits are the MID (0: no MID in the
 * form). Checked in order: the longer prefixes first.
 */
struct mmsi_form {
    uint32_t div, lead, mid_div;
    const char *what;
};

static const struct mmsi_form forms[] = {
    {1000000, 111, 1000, "SAR aircraft 111MIDxxx"},
    {1000000, 970, 0, "AIS-SART 970xxyyyy"},
    {1000000, 972, 0, "man-overboard device 972xxyyyy"},
    {1000000, 974, 0, "EPIRB-AIS 974xxyyyy"},
    {10000000, 98, 10000, "auxiliary craft 98MIDxxxx"},
    {10000000, 99, 10000, "aid to navigation 99MIDxxxx"},
    {100000000, 8, 100000, "handheld VHF 8MIDxxxxx"},
};

/* The form of a 9-digit MMSI that does not start with 0 or 2-7, NULL when
 * M.585 defines none (1xxxxxxxx other than 111, 9xxxxxxxx other than
 * 970/972/974/98/99). */
static const struct mmsi_form *special_form(uint32_t mmsi)
{
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (mmsi / forms[i].div == forms[i].lead)
            return &forms[i];
    return NULL;
}

unsigned det_mmsi_mid(uint32_t mmsi)
{
    if (mmsi > 999999999)
        return 0;
    if (mmsi < 10000000)                          /* 00MIDxxxx coast station */
        return mid_or_0(mmsi / 10000);
    if (mmsi < 100000000)                         /* 0MIDxxxxx group */
        return mid_or_0(mmsi / 100000);
    unsigned lead = mmsi / 100000000;
    if (lead >= 2 && lead <= 7)                   /* MIDxxxxxx ship */
        return mid_or_0(mmsi / 1000000);
    const struct mmsi_form *f = special_form(mmsi);
    return f && f->mid_div ? mid_or_0(mmsi / f->mid_div % 1000) : 0;
}

/* Writes "MID nnn not allocated (<form>)" into buf and returns it. */
static const char *unallocated(char *buf, size_t cap, const char *form, unsigned mid)
{
    snprintf(buf, cap, "MID %03u not allocated (%s)", mid, form);
    return buf;
}

/* Writes `why` into buf and returns it. */
static const char *no_form(char *buf, size_t cap, const char *why)
{
    snprintf(buf, cap, "%s", why);
    return buf;
}

/*
 * Ship stations MIDxxxxxx, groups 0MIDxxxxx, coast stations 00MIDxxxx and the
 * 111/8/98/99 forms are valid when their MID is allocated; the emergency
 * devices 970/972/974 carry a manufacturer number, not a MID, and are valid
 * as they are. Everything else is not an M.585 identity.
 */
const char *det_mmsi_invalid(uint32_t mmsi, char *buf, size_t cap)
{
    if (mmsi > 999999999)
        return no_form(buf, cap, "10 digits, not 9");
    if (mmsi < 1000000)                           /* 000xxxxxx: no such form */
        return no_form(buf, cap, "fewer than 7 significant digits (000xxxxxx)");
    if (mmsi < 10000000) {
        unsigned mid = mmsi / 10000;
        return det_mid_country(mid) ? NULL : unallocated(buf, cap, "coast station 00MIDxxxx", mid);
    }
    if (mmsi < 100000000) {
        unsigned mid = mmsi / 100000;
        return det_mid_country(mid) ? NULL : unallocated(buf, cap, "group 0MIDxxxxx", mid);
    }
    unsigned lead = mmsi / 100000000;
    if (lead >= 2 && lead <= 7) {
        unsigned mid = mmsi / 1000000;
        return det_mid_country(mid) ? NULL : unallocated(buf, cap, "ship MIDxxxxxx", mid);
    }
    const struct mmsi_form *f = special_form(mmsi);
    if (!f)
        return no_form(buf, cap, lead == 1 ? "no M.585 form 1xxxxxxxx but 111MIDxxx"
                                           : "no M.585 form 9xxxxxxxx but 970/972/974/98/99");
    if (!f->mid_div)
        return NULL;
    unsigned mid = mmsi / f->mid_div % 1000;
    return det_mid_country(mid) ? NULL : unallocated(buf, cap, f->what, mid);
}
