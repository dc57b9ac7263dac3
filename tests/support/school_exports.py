"""Export files of a made-up school, in the shapes Magister and SOMtoday write them (generated, not copied).

Magister: students and staff in two files, semicolons, Windows-1252 (Excel's Dutch "CSV"), a separator at the
end of every row, split names, `Stamnr`, mentors as "SA4, NG5". SOMtoday: commas, UTF-8 with a byte-order mark,
`Leerlingnummer`, `Stamgroep`, and the mentors in a separate class → mentor file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_FIRST = ["Daniëlle", "Zoë", "Bram", "Noël", "Sanne", "Mehmet", "Aïsha", "Joris", "Fenna", "Thijs", "Inés", "Léon"]
_INFIX = ["", "van", "de", "van der", "", "", "el", "ten", "", "van den"]
_LAST = ["Bakker", "Çelik", "Jansen", "Groot", "Berg", "Smit", "Yildiz", "Visser", "Müller", "Dijk", "Brink"]


@dataclass(frozen=True)
class School:
    classes: int = 3
    per_class: int = 4
    staff: int = 8  # codes T01..; the first is leadership; class k has mentors T(k+1) and T(k+2)

    def staff_code(self, n: int) -> str:
        return f"T{n:02d}"

    def class_name(self, k: int) -> str:
        return f"{k % 6 + 1}{'ABCDEFGH'[k // 6 % 8]}{k // 48 or ''}"

    def mentors(self, k: int) -> tuple[str, str]:
        return self.staff_code(1 + k % (self.staff - 1) + 1), self.staff_code(1 + (k + 1) % (self.staff - 1) + 1)

    def students(self) -> list[tuple[str, str, str, str, str]]:
        """(number, first name, infix, last name, class)."""
        rows = []
        for k in range(self.classes):
            for s in range(self.per_class):
                n = k * self.per_class + s
                rows.append((str(100000 + n), _FIRST[n % 12], _INFIX[n % 10], _LAST[n % 11], self.class_name(k)))
        return rows


def magister(school: School, folder: Path) -> tuple[Path, Path]:
    students = folder / "leerlingen.csv"
    lines = ["Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Mentor;Gebruikersnaam;E-mail;"]
    for number, first, infix, last, klas in school.students():
        k = next(i for i in range(school.classes) if school.class_name(i) == klas)
        mentors = ", ".join(school.mentors(k))
        user = f"{number}"
        lines.append(f"{number};{first};{infix};{last};{klas};havo;{mentors};{user};{user}@leerling.school.nl;")
    students.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    staff = folder / "medewerkers.csv"
    lines = ["Code;Roepnaam;Tussenv;Achternaam;Functie;Gebruikersnaam;E-mail;"]
    for n in range(1, school.staff + 1):
        code = school.staff_code(n)
        job = "Rector" if n == 1 else "Docent"
        lines.append(
            f"{code};{_FIRST[n % 12]};{_INFIX[n % 10]};{_LAST[n % 11]};{job};{code.lower()};{code.lower()}@school.nl;"
        )
    staff.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return students, staff


def somtoday(school: School, folder: Path) -> tuple[Path, Path, Path]:
    bom = "\ufeff"
    students = folder / "leerlingen_somtoday.csv"
    lines = ["Leerlingnummer,Roepnaam,Voorvoegsel,Achternaam,Stamgroep,Emailadres"]
    for number, first, infix, last, klas in school.students():
        lines.append(f"{number},{first},{infix},{last},{klas},{number}@leerling.school.nl")
    students.write_text(bom + "\n".join(lines) + "\n", encoding="utf-8")
    staff = folder / "medewerkers_somtoday.csv"
    lines = ["Afkorting,Roepnaam,Voorvoegsel,Achternaam,Emailadres"]
    for n in range(1, school.staff + 1):
        code = school.staff_code(n)
        lines.append(f"{code},{_FIRST[n % 12]},{_INFIX[n % 10]},{_LAST[n % 11]},{code.lower()}@school.nl")
    staff.write_text(bom + "\n".join(lines) + "\n", encoding="utf-8")
    mentors = folder / "mentoren.csv"
    lines = ["Stamgroep,Mentoren"]
    for k in range(school.classes):
        lines.append(f'{school.class_name(k)},"{", ".join(school.mentors(k))}"')
    mentors.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return students, staff, mentors
