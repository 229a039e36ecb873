"""The French text of the synthetic territory: message subjects and bodies, news, lesson logs,
homework, document names. Every piece is drawn from `rng`, so the same seed writes the same words.
Bodies are plain paragraphs (`<p>…</p>`), which the app's sanitiser leaves as they are."""

from __future__ import annotations

import html
import random

# Subject labels as the AAF set names them (aaf_generate.SUBJECTS) -> a short French name.
SUBJECT_NAMES = {
    "FRANCAIS": "français",
    "LATIN": "latin",
    "MATHEMATIQUES": "mathématiques",
    "HISTOIRE-GEOGRAPHIE": "histoire-géographie",
    "HIST.GEO.GEOPOL.SC.POL.": "HGGSP",
    "ANGLAIS LV1": "anglais",
    "ESPAGNOL LV2": "espagnol",
    "ALLEMAND LV2": "allemand",
    "SCIENCES VIE & TERRE": "SVT",
    "PHYSIQUE-CHIMIE": "physique-chimie",
    "TECHNOLOGIE": "technologie",
    "ED.PHYSIQUE & SPORT.": "EPS",
    "SCIENCES ECONO.& SOCIALES": "SES",
    "PHILOSOPHIE": "philosophie",
}

TOPICS = {
    "français": [
        "le conte merveilleux",
        "la poésie lyrique",
        "le récit d'aventures",
        "le théâtre de Molière",
        "l'argumentation",
        "la nouvelle réaliste",
    ],
    "latin": ["la première déclinaison", "la vie quotidienne à Rome", "les dieux romains"],
    "mathématiques": [
        "les fractions",
        "le théorème de Pythagore",
        "les équations",
        "les statistiques",
        "la proportionnalité",
        "les fonctions affines",
    ],
    "histoire-géographie": [
        "l'Empire romain",
        "la Révolution française",
        "les littoraux",
        "la mondialisation",
        "la Première Guerre mondiale",
        "l'urbanisation",
    ],
    "HGGSP": ["les frontières", "la puissance", "le patrimoine"],
    "anglais": ["le prétérit", "les comparatifs", "London and its monuments", "the future"],
    "espagnol": ["le présent de l'indicatif", "la ville de Séville", "les verbes à diphtongue"],
    "allemand": ["les déclinaisons", "Berlin", "les verbes de modalité"],
    "SVT": ["la cellule", "la digestion", "les volcans", "la biodiversité"],
    "physique-chimie": ["les états de la matière", "les circuits électriques", "la lumière"],
    "technologie": ["les objets techniques", "la programmation par blocs", "les énergies"],
    "EPS": ["le demi-fond", "le badminton", "l'acrosport", "le handball"],
    "SES": ["le marché", "la socialisation", "la monnaie"],
    "philosophie": ["la conscience", "la liberté", "le travail", "la vérité"],
}
DEFAULT_TOPICS = ["le chapitre en cours", "la leçon du jour"]

CLASS_PUPIL_SUBJECTS = [
    "Cours de {subject} : ce qu'il faut retenir",
    "Contrôle de {subject} la semaine prochaine",
    "Documents pour le cours de {subject}",
    "Correction de l'exercice de {subject}",
    "{Subject} : matériel à apporter",
    "Exposés de {subject}",
]
CLASS_PUPIL_BODIES = [
    "Bonjour à tous, vous trouverez ci-dessous le résumé de notre séance sur {topic}. "
    "Relisez-le avant le prochain cours.",
    "Bonjour, le contrôle portera sur {topic}. Révisez les exercices faits en classe et "
    "n'hésitez pas à poser vos questions.",
    "Bonjour à tous, pensez à apporter votre cahier et votre trousse complète. Nous "
    "commencerons {topic}.",
    "Bonjour, la correction de l'exercice est disponible dans l'espace de la classe. "
    "Vérifiez vos réponses.",
    "Bonjour, les exposés sur {topic} commenceront mardi. Chaque groupe dispose de dix minutes.",
]
CLASS_GUARDIAN_SUBJECTS = [
    "Réunion parents-professeurs de la {klass}",
    "Sortie pédagogique de la {klass}",
    "Travail de la {klass} en {subject}",
    "Information sur le cours de {subject}",
    "Bulletin du trimestre : rendez-vous",
]
CLASS_GUARDIAN_BODIES = [
    "Madame, Monsieur, la réunion parents-professeurs de la {klass} aura lieu jeudi à partir "
    "de 17 h 30. Merci de confirmer votre présence.",
    "Madame, Monsieur, une sortie est prévue pour la {klass}. L'autorisation signée est à "
    "rendre avant vendredi.",
    "Madame, Monsieur, nous travaillons en ce moment sur {topic}. Merci de veiller à ce que "
    "votre enfant fasse régulièrement ses devoirs.",
    "Madame, Monsieur, je me tiens à votre disposition pour faire le point sur le travail de "
    "votre enfant. Vous pouvez me proposer un créneau par retour de message.",
]
GUARDIAN_REPLIES = [
    "Bonjour, merci pour ces informations. Bien cordialement.",
    "Bonjour, nous serons présents à la réunion. Cordialement.",
    "Bonjour, pourrions-nous convenir d'un rendez-vous la semaine prochaine ? Merci.",
    "Bonjour, l'autorisation vous sera remise demain. Bonne journée.",
    "Bonjour, mon enfant était absent ce jour-là, pourriez-vous m'indiquer le travail à "
    "rattraper ? Merci.",
]
PUPIL_QUESTIONS = [
    (
        "Question sur l'exercice",
        "Bonjour, je n'ai pas compris la question 3 de l'exercice "
        "sur {topic}. Pourriez-vous m'expliquer ? Merci.",
    ),
    (
        "Devoir à rendre",
        "Bonjour, le devoir sur {topic} est-il à rendre sur papier ou en ligne ? Merci.",
    ),
    ("Absence", "Bonjour, j'étais absent au dernier cours. Quels exercices dois-je faire ? Merci."),
    (
        "Exposé",
        "Bonjour, est-ce que notre groupe peut présenter l'exposé sur {topic} la "
        "semaine prochaine ?",
    ),
]
TEACHER_ANSWERS = [
    "Bonjour, relis la leçon sur {topic} : la réponse s'y trouve. Nous en reparlerons en classe.",
    "Bonjour, sur papier, au début du prochain cours.",
    "Bonjour, fais les exercices 4 et 5 de la page 52 et demande le cours à un camarade.",
    "Bonjour, oui, c'est d'accord.",
]
SCHOOL_GUARDIAN_SUBJECTS = [
    "Calendrier des conseils de classe",
    "Photographies de classe",
    "Élections des représentants des parents",
    "Restauration scolaire : menus et inscriptions",
    "Prévention du harcèlement : soirée d'information",
    "Vaccination et santé scolaire",
    "Vacances scolaires et reprise des cours",
]
SCHOOL_GUARDIAN_BODIES = [
    "Madame, Monsieur, vous trouverez ci-dessous les informations de la vie de l'établissement "
    "pour les semaines à venir. Le secrétariat reste à votre disposition.",
    "Madame, Monsieur, nous vous remercions de prendre connaissance de ce message et de "
    "consulter régulièrement l'ENT.",
    "Madame, Monsieur, les inscriptions sont ouvertes jusqu'à la fin du mois auprès de "
    "l'intendance.",
]
SCHOOL_PUPIL_SUBJECTS = [
    "Vie scolaire : rappel du règlement",
    "Foyer socio-éducatif : nouveaux clubs",
    "Association sportive : inscriptions",
    "CDI : horaires d'ouverture",
]
SCHOOL_PUPIL_BODIES = [
    "Bonjour à tous, la vie scolaire vous rappelle que les carnets de correspondance doivent "
    "être présentés à l'entrée.",
    "Bonjour à tous, les clubs du midi reprennent lundi : théâtre, échecs, robotique.",
    "Bonjour à tous, les inscriptions à l'association sportive sont ouvertes au bureau d'EPS.",
]
STAFF_SUBJECTS = [
    "Conseil pédagogique",
    "Planning des conseils de classe",
    "Réunion d'équipe",
    "Saisie des notes du trimestre",
    "Exercice d'évacuation",
]
STAFF_BODIES = [
    "Chers collègues, la réunion aura lieu mardi à 17 h en salle des professeurs. L'ordre du "
    "jour suit.",
    "Chers collègues, merci de compléter vos saisies avant vendredi midi.",
    "Chers collègues, un exercice aura lieu cette semaine : merci de rappeler les consignes à "
    "vos élèves.",
]
NEWS_TITLES = [
    "Cross de l'établissement",
    "Semaine des langues",
    "Journée portes ouvertes",
    "Remise des diplômes",
    "Concours de mathématiques",
    "Spectacle de fin de trimestre",
    "Collecte solidaire",
    "Rencontre avec un auteur",
    "Menu de fête à la cantine",
    "Travaux dans la cour",
    "Exposition au CDI",
    "Élection des délégués",
    "Séjour au ski : réunion d'information",
    "Forum des métiers",
]
NEWS_BODIES = [
    "Toute la communauté scolaire est invitée à participer. Le programme détaillé est affiché "
    "dans le hall.",
    "Les élèves ont préparé cet événement avec leurs professeurs. Venez nombreux !",
    "Merci à toutes les familles pour leur participation. Les photographies seront bientôt en "
    "ligne.",
    "Les inscriptions se font auprès de la vie scolaire jusqu'à vendredi.",
]
HOMEWORK = [
    "Apprendre la leçon sur {topic}.",
    "Faire les exercices 3, 4 et 5 page {page}.",
    "Relire le cours et préparer les questions de la fiche sur {topic}.",
    "Terminer l'exercice commencé en classe.",
    "Rédiger un paragraphe argumenté sur {topic}.",
    "Réviser pour l'évaluation sur {topic}.",
]
LONG_HOMEWORK = [
    "Devoir maison sur {topic} : à rendre soigné, sur copie double.",
    "Préparer un exposé sur {topic} (cinq minutes par groupe).",
    "Lire le chapitre indiqué et en faire une fiche de lecture.",
]
LESSON = [
    "Cours : {topic}. Activité de découverte, puis trace écrite.",
    "Correction des exercices, puis suite du chapitre sur {topic}.",
    "Évaluation de mi-chapitre, puis travail en groupes.",
    "Séance en salle informatique autour de {topic}.",
]
DOCUMENT_NAMES = [
    "Fiche d'exercices - {topic}",
    "Cours - {topic}",
    "Correction - {topic}",
    "Progression du trimestre",
    "Méthodologie",
    "Grille d'évaluation",
]


def subject_name(label: str) -> str:
    return SUBJECT_NAMES.get(label, label.lower())


def topic(rng: random.Random, subject: str) -> str:
    return rng.choice(TOPICS.get(subject, DEFAULT_TOPICS))


def paragraph(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def fill(rng: random.Random, template: str, subject: str = "", **values: str) -> str:
    values.setdefault("topic", topic(rng, subject))
    return template.format(
        subject=subject, Subject=subject[:1].upper() + subject[1:], page=str(rng.randint(12, 180)),
        **values,
    )  # fmt: skip
