"""Name lists for the demo territory (see demo.py).

Children's first names are the ones given in France to children born 2009-2015, adults' to
people born 1965-1998. Names are grouped by the origin of the family name, so that a family
reads like a real one (a child of the Haddad family is more often Yanis or Inès than Tomasz),
while every origin also draws on the common French names, as families do. The weights are
rough shares in a Lyon-area class list. Invented people only: common names, no real person.
"""

from __future__ import annotations

from typing import NamedTuple


class Origin(NamedTuple):
    weight: int  # share of families, in percent
    surnames: tuple[str, ...]
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]


# One name list per block, kept dense: a formatter would put one name per line.
# fmt: off
FRENCH = Origin(
    weight=64,
    surnames=(
        # The most common in France
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
        "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand",
        "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
        "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer",
        "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément",
        "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
        "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
        "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier",
        "Arnaud", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal",
        "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
        "Olivier", "Bourgeois", "Benoît", "Rey", "Leclerc", "Rolland", "Guillaume", "Lecomte",
        "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Dupuis", "Moulin", "Deschamps",
        "Huet", "Vasseur", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Poirier",
        "Marty", "Aubry", "Guyot", "Carré", "Charpentier", "Ménard", "Maillard", "Baron",
        "Bertin", "Bailly", "Hervé", "Schneider", "Le Gall", "Collet", "Léger", "Bouvier",
        "Prévost", "Millet", "Cohen", "Lévy", "Payet",
        # Lyon, Ain, Beaujolais, Savoie, Dauphiné
        "Chapuis", "Mollard", "Berthet", "Gay", "Favre", "Perret", "Bouchet", "Chevallier",
        "Girin", "Janin", "Bonnard", "Gonin", "Ravier", "Guichard", "Berthod", "Chanel",
        "Ducret", "Buisson", "Dumoulin", "Mermet", "Cochet", "Jacquier", "Grosjean", "Poncet",
        "Vuillermoz", "Tissot", "Béal", "Badin", "Pellet", "Chabert", "Vial", "Descombes",
        "Thevenet", "Dumontet", "Giroud", "Fayolle", "Bouillet", "Vernay", "Ravet",
    ),
    girls=(
        "Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Rose", "Anna", "Mila", "Ambre",
        "Julia", "Mia", "Léna", "Manon", "Juliette", "Lou", "Zoé", "Camille", "Agathe",
        "Jeanne", "Lucie", "Éva", "Nina", "Sarah", "Romane", "Iris", "Adèle", "Léonie",
        "Clémence", "Margaux", "Charlotte", "Capucine", "Maëlys", "Clara", "Lola", "Victoria",
        "Louna", "Elsa", "Océane", "Anaïs", "Maëlle", "Noémie", "Justine", "Célia", "Salomé",
        "Apolline", "Constance", "Héloïse", "Mathilde", "Gabrielle", "Élise", "Valentine",
        "Inès", "Lina", "Naomie", "Esther", "Alicia", "Lisa", "Zélie", "Margot", "Pauline",
    ),
    boys=(
        "Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Lucas", "Adam", "Jules", "Hugo", "Maël",
        "Liam", "Noah", "Paul", "Ethan", "Sacha", "Gabin", "Nathan", "Aaron", "Tom", "Théo",
        "Noé", "Victor", "Martin", "Mathis", "Axel", "Léon", "Antoine", "Marius", "Timéo",
        "Nolan", "Enzo", "Baptiste", "Clément", "Maxime", "Alexandre", "Thomas", "Valentin",
        "Quentin", "Romain", "Évan", "Robin", "Samuel", "Simon", "Benjamin", "Augustin", "Malo",
        "Kylian", "Mathéo", "Noam", "Marceau", "Basile", "Joseph", "Côme", "Elias", "Kevin",
        "Lenny", "Titouan", "Corentin", "Bastien", "Killian", "Dylan",
    ),
    women=(
        "Nathalie", "Isabelle", "Sylvie", "Catherine", "Valérie", "Sandrine", "Christine",
        "Véronique", "Céline", "Stéphanie", "Sophie", "Laurence", "Karine", "Virginie",
        "Aurélie", "Émilie", "Julie", "Caroline", "Delphine", "Anne", "Marie", "Hélène",
        "Audrey", "Élodie", "Claire", "Mélanie", "Laetitia", "Séverine", "Cécile", "Florence",
        "Magali", "Corinne", "Amandine", "Marion", "Pauline", "Anne-Sophie", "Marie-Laure",
        "Agnès", "Béatrice", "Élise", "Charlotte", "Lucie", "Camille", "Laura", "Alexandra",
        "Coralie", "Vanessa", "Sabrina", "Jessica", "Émeline", "Gaëlle", "Muriel",
    ),
    men=(
        "Christophe", "Stéphane", "Sébastien", "Nicolas", "Julien", "David", "Frédéric",
        "Laurent", "Olivier", "Éric", "Philippe", "Thierry", "Pascal", "Patrick", "Cédric",
        "Jérôme", "Vincent", "Franck", "Guillaume", "Arnaud", "Fabrice", "Emmanuel", "Benoît",
        "Mathieu", "Damien", "Alexandre", "Romain", "Yann", "Anthony", "Grégory", "Ludovic",
        "Jean-Marc", "Jean-François", "Pierre", "François", "Bruno", "Hervé", "Xavier",
        "Antoine", "Thomas", "Maxime", "Florian", "Benjamin", "Jérémy", "Lionel", "Gilles",
    ),
)

MAGHREB = Origin(
    weight=14,
    surnames=(
        "Benali", "Haddad", "Mansouri", "Bouzid", "Saïdi", "Belkacem", "Benabdallah", "Cherif",
        "Hamidi", "Kaddour", "Boudjema", "Zerrouki", "El Amrani", "Ait Ali", "Bensaïd", "Amrani",
        "Brahimi", "Chaouch", "Messaoudi", "Touati", "Ouali", "Lahlou", "Benhamou", "Rahmani",
        "Bouaziz", "Meziane", "Khelifi", "Ziani", "Belhadj", "Mokrani", "El Idrissi", "Tahri",
    ),
    girls=(
        "Inès", "Lina", "Yasmine", "Nour", "Aya", "Sofia", "Myriam", "Assia", "Amira", "Kenza",
        "Imane", "Salma", "Rania", "Maryam", "Hiba", "Lyna", "Sirine", "Nesrine", "Malak",
        "Farah", "Anissa", "Hana",
    ),
    boys=(
        "Adam", "Mohamed", "Yanis", "Rayan", "Ilyes", "Amir", "Ayoub", "Adem", "Younes",
        "Sofiane", "Bilal", "Ismaël", "Imran", "Zakaria", "Anas", "Mehdi", "Nassim", "Walid",
        "Sami", "Idriss", "Karim", "Yacine",
    ),
    women=(
        "Nadia", "Samira", "Fatima", "Malika", "Leïla", "Karima", "Naïma", "Souad", "Amel",
        "Yamina", "Khadija", "Houria", "Sabrina", "Nora", "Fouzia", "Rachida", "Hayat", "Sonia",
    ),
    men=(
        "Karim", "Mehdi", "Rachid", "Nabil", "Mourad", "Farid", "Samir", "Hakim", "Kamel",
        "Youssef", "Abdelkader", "Mohamed", "Ahmed", "Djamel", "Khaled", "Mustapha", "Saïd",
        "Brahim",
    ),
)

WEST_AFRICA = Origin(
    weight=7,
    surnames=(
        "Diallo", "Traoré", "Camara", "Diop", "Ndiaye", "Sow", "Cissé", "Keita", "Koné",
        "Coulibaly", "Sylla", "Touré", "Bamba", "Fofana", "Kouassi", "Kabongo", "Mensah",
        "Ba", "Sissoko", "Konaté", "Dembélé", "Nkoulou",
    ),
    girls=(
        "Fatoumata", "Aïcha", "Mariam", "Awa", "Aminata", "Kadiatou", "Naomie", "Grâce",
        "Binta", "Oumou", "Assa", "Hawa", "Ramatoulaye", "Prisca",
    ),
    boys=(
        "Moussa", "Mamadou", "Ibrahima", "Souleymane", "Oumar", "Issa", "Amadou", "Seydou",
        "Boubacar", "Lassana", "Abdoulaye", "Ousmane", "Cheick", "Joachim",
    ),
    women=(
        "Fatoumata", "Mariama", "Aïssatou", "Awa", "Kadiatou", "Aminata", "Djeneba", "Salimata",
        "Nafissatou", "Bintou", "Clarisse", "Florence",
    ),
    men=(
        "Mamadou", "Moussa", "Ousmane", "Amadou", "Cheikh", "Ibrahima", "Sékou", "Lamine",
        "Boubacar", "Modibo", "Serge", "Jean-Claude",
    ),
)

SOUTHERN_EUROPE = Origin(
    weight=9,
    surnames=(
        "Da Silva", "Ferreira", "Pereira", "Rodrigues", "Fernandes", "Gonçalves", "Lopes",
        "Dos Santos", "Oliveira", "Teixeira", "Martins", "Pinto", "Garcia", "Rodriguez",
        "Martinez", "Lopez", "Sanchez", "Perez", "Fernandez", "Gomez", "Moreno", "Ruiz",
        "Romero", "Navarro", "Rossi", "Russo", "Bianchi", "Esposito", "Ferrari", "Colombo",
        "Ricci", "Marino", "Greco", "Bruno",
    ),
    girls=(
        "Inês", "Beatriz", "Carla", "Lucía", "Giulia", "Sofia", "Alicia", "Elena", "Chiara",
        "Marta", "Luna", "Carmen", "Bianca",
    ),
    boys=(
        "Tiago", "Rafael", "Diego", "Lorenzo", "Matteo", "Esteban", "Hugo", "Mateo", "Nicolas",
        "Leandro", "Enzo", "Luca", "Daniel",
    ),
    women=(
        "Ana", "Maria", "Sónia", "Carmen", "Rosa", "Francesca", "Paula", "Cristina", "Isabel",
        "Teresa", "Silvia", "Manuela",
    ),
    men=(
        "José", "Manuel", "Carlos", "Paulo", "Antonio", "Marco", "Giuseppe", "Fernando",
        "Luis", "Francisco", "Mario", "Sergio",
    ),
)

TURKEY = Origin(
    weight=2,
    surnames=("Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydin", "Öztürk", "Arslan", "Doğan"),
    girls=("Elif", "Zeynep", "Ecrin", "Eslem", "Meryem", "Defne", "Azra"),
    boys=("Emir", "Yusuf", "Eymen", "Kerem", "Mert", "Efe", "Berat"),
    women=("Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Özlem"),
    men=("Mehmet", "Hakan", "Mustafa", "Ali", "Hüseyin", "Murat"),
)

ARMENIA = Origin(
    weight=2,
    surnames=(
        "Petrossian", "Manoukian", "Khatchadourian", "Sarkissian", "Avedissian", "Der Sarkissian",
        "Hovhannessian", "Papazian", "Bedrossian",
    ),
    girls=("Ani", "Anahit", "Nairi", "Lilit", "Maral", "Chloé", "Léa"),
    boys=("Arman", "Davit", "Aram", "Tigran", "Vahan", "Hugo", "Raphaël"),
    women=("Anahit", "Lusine", "Nvart", "Hasmik", "Sylvie", "Nathalie"),
    men=("Arsène", "Vahé", "Garabed", "Krikor", "Serge", "Patrick"),
)

VIETNAM = Origin(
    weight=1,
    surnames=("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vo", "Dang", "Bui"),
    girls=("Linh", "Mai", "Lan", "Emma", "Julie", "Anh"),
    boys=("Minh", "Bao", "Duc", "Kevin", "Thomas", "Long"),
    women=("Thi Lan", "Huong", "Thu", "Hoa", "Christine"),
    men=("Minh", "Quang", "Tuan", "Hung", "Pascal"),
)

POLAND = Origin(
    weight=1,
    surnames=("Kowalski", "Nowak", "Wiśniewski", "Zielinski", "Lewandowski", "Kaminski"),
    girls=("Zuzanna", "Maja", "Julia", "Lena", "Hanna"),
    boys=("Jakub", "Stanislas", "Antoni", "Szymon", "Filip"),
    women=("Agnieszka", "Ewa", "Katarzyna", "Anna", "Monika"),
    men=("Tomasz", "Piotr", "Krzysztof", "Marek", "Pawel"),
)
# fmt: on

ORIGINS = (FRENCH, MAGHREB, WEST_AFRICA, SOUTHERN_EUROPE, TURKEY, ARMENIA, VIETNAM, POLAND)
