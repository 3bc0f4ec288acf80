export interface DivisionParts {
  gender: string | null;
  age: string | null;
  /** Belt or level, whichever the organiser uses. */
  level: string | null;
  weight: string | null;
}

const GENDER = /^(men|women|male|female|boys|girls|mixed|masculino|feminino)$/i;
const WEIGHT = /(\d+(\.\d+)?\s*(kg|lbs?)\b|^[-+]\s*\d|open\s*weight|absolute|openclass|open class)/i;
const AGE = /(adult|master|juvenile|junior|teen|kids?|youth|senior|\bu\d{1,2}\b|\b\d{1,2}\s*[-–]\s*\d{1,2}\b|\b\d{1,2}\+|years?)/i;

/**
 * "Men / Adults / Beginner / -60 kg" -> gender, age, level, weight. Segments are recognised by
 * what they say, not where they stand; what no rule claims is the level.
 */
export function splitDivision(name: string): DivisionParts {
  const parts: DivisionParts = { gender: null, age: null, level: null, weight: null };
  const segments = name.split('/').map((s) => s.trim()).filter((s) => s !== '');
  const rest: string[] = [];
  for (const segment of segments) {
    if (parts.gender === null && GENDER.test(segment)) parts.gender = segment;
    else if (parts.weight === null && WEIGHT.test(segment)) parts.weight = segment;
    else if (parts.age === null && AGE.test(segment)) parts.age = segment;
    else rest.push(segment);
  }
  parts.level = rest.length === 0 ? null : rest.join(' / ');
  return parts;
}
