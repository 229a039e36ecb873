"""Name, place and school lists for the synthetic AAF set (bench/aaf_generate.py).

Invented people only: common first and family names of France, mixed origins as in a class list
of the Lyon area, spelt with the accents, apostrophes, hyphens and the ligature œ that real feeds
carry. Every string here can be encoded in ISO-8859-15 (checked when the generator starts), so a
page may be written in either encoding an AAF set uses.
"""

from __future__ import annotations

# fmt: off
SURNAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
    "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Gérard", "Roche",
    "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre",
    "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Bourgeois", "Benoît", "Rey",
    "Leclerc", "Rolland", "Guillaume", "Lecomte", "Dupuy", "Guillot", "Hubert", "Berger",
    "Carpentier", "Dupuis", "Moulin", "Deschamps", "Huet", "Vasseur", "Boucher", "Fleury",
    "Royer", "Klein", "Jacquet", "Adam", "Poirier", "Marty", "Aubry", "Guyot", "Carré",
    "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider",
    "Le Gall", "Collet", "Léger", "Bouvier", "Prévost", "Millet", "Cohen", "Lévy", "Payet",
    "Chapuis", "Mollard", "Berthet", "Gay", "Favre", "Perret", "Bouchet", "Girin", "Janin",
    "Bonnard", "Gonin", "Ravier", "Guichard", "Berthod", "Ducret", "Buisson", "Dumoulin",
    "Mermet", "Cochet", "Jacquier", "Grosjean", "Poncet", "Tissot", "Béal", "Chabert", "Vial",
    "Descombes", "Thevenet", "Giroud", "Fayolle", "Vernay", "Bœuf", "Lœuillet", "Cœurdevey",
    "D'Angelo", "N'Diaye", "D'Almeida", "De Oliveira", "Da Silva", "Dos Santos", "Pereira",
    "Ferreira", "Rodrigues", "Fernandes", "Gonçalves", "Lopes", "Martins", "Garcia", "Martinez",
    "Lopez", "Sanchez", "Perez", "Gomez", "Fernandez", "Ruiz", "Romero", "Navarro", "Russo",
    "Rossi", "Esposito", "Ricci", "Bianchi", "Romano", "Colombo", "Benali", "Bensaïd",
    "Haddad", "Mansouri", "Bouaziz", "Cherif", "Amrani", "Belkacem", "Boudjema", "Hamidi",
    "Khelifi", "Meziane", "Saidi", "Zerrouki", "Aït Ali", "El Idrissi", "Benyahia", "Traoré",
    "Diallo", "Koné", "Camara", "Sylla", "Cissé", "Touré", "Keïta", "Bamba", "Diop", "Ndiaye",
    "Sow", "Mendy", "Yilmaz", "Kaya", "Demir", "Sahin", "Çelik", "Öztürk", "Nguyen", "Tran",
    "Pham", "Le", "Hoang", "Vu", "Kowalski", "Nowak", "Wisniewski", "Mirzoyan", "Petrossian",
    "Hakobyan", "Grigorian", "Sarkissian", "Boyadjian", "Laville-Moreau", "Martin-Dubois",
    "Saint-Cyr", "Le Bihan", "Le Floch", "Ollivier", "Fauré", "Lagarde", "Perrot", "Besson",
)
GIRLS = (
    "Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Rose", "Anna", "Mila", "Ambre", "Julia",
    "Mia", "Léna", "Manon", "Juliette", "Lou", "Zoé", "Camille", "Agathe", "Jeanne", "Lucie",
    "Éva", "Nina", "Sarah", "Romane", "Iris", "Adèle", "Léonie", "Clémence", "Margaux",
    "Charlotte", "Capucine", "Maëlys", "Clara", "Lola", "Victoria", "Louna", "Elsa", "Océane",
    "Anaïs", "Maëlle", "Noémie", "Justine", "Célia", "Salomé", "Apolline", "Héloïse", "Mathilde",
    "Gabrielle", "Élise", "Valentine", "Inès", "Lina", "Naomie", "Esther", "Alicia", "Lisa",
    "Zélie", "Margot", "Pauline", "Yasmine", "Sofia", "Nour", "Amira", "Maryam", "Aya", "Kenza",
    "Assia", "Aïcha", "Fatoumata", "Awa", "Mariam", "Aminata", "Elif", "Zeynep", "Ayse",
    "Linh", "Mai", "Lan", "Ana", "Beatriz", "Giulia", "Chiara", "Lucía", "Anouk", "Marie-Lou",
    "Anne-Sophie", "Gaëlle", "Noëlle", "Ophélie", "Solène", "Thaïs", "Maïa", "Cléa", "Lise",
)
BOYS = (
    "Gabriel", "Léo", "Raphaël", "Arthur", "Louis", "Jules", "Adam", "Maël", "Lucas", "Hugo",
    "Noah", "Liam", "Gabin", "Sacha", "Paul", "Nathan", "Aaron", "Mohamed", "Ethan", "Tom",
    "Éden", "Léon", "Noé", "Tiago", "Théo", "Isaac", "Marius", "Victor", "Martin", "Naël",
    "Mathis", "Axel", "Robin", "Timéo", "Enzo", "Marceau", "Valentin", "Nino", "Eliott",
    "Nolan", "Malo", "Milo", "Antoine", "Samuel", "Augustin", "Amir", "Simon", "Yanis",
    "Baptiste", "Maxime", "Clément", "Mathéo", "Kylian", "Noam", "Rayan", "Ilyes", "Ayoub",
    "Imran", "Youssef", "Bilal", "Ismaël", "Moussa", "Mamadou", "Ibrahima", "Ousmane", "Seydou",
    "Emir", "Yusuf", "Mehmet", "Baran", "Minh", "Duc", "Bao", "Tomás", "Diogo", "Rafael",
    "Matteo", "Lorenzo", "Alessandro", "Jean-Baptiste", "Pierre-Louis", "Côme", "Anatole",
    "Félix", "Jérémy", "Loïc", "Gaël", "Joachim", "Benoît", "Élias", "Océan", "Zacharie",
)
WOMEN = (
    "Nathalie", "Isabelle", "Sylvie", "Catherine", "Christine", "Sandrine", "Valérie",
    "Stéphanie", "Céline", "Véronique", "Sophie", "Émilie", "Aurélie", "Julie", "Caroline",
    "Virginie", "Laurence", "Marie", "Anne", "Hélène", "Claire", "Delphine", "Karine", "Séverine",
    "Audrey", "Élodie", "Mélanie", "Laetitia", "Florence", "Corinne", "Patricia", "Martine",
    "Agnès", "Béatrice", "Cécile", "Géraldine", "Magali", "Nadia", "Samia", "Leïla", "Malika",
    "Fatima", "Karima", "Naïma", "Souad", "Aminata", "Mariama", "Fatou", "Aïssatou", "Hatice",
    "Fatma", "Thi Lan", "Hoa", "Maria", "Ana Paula", "Rosa", "Francesca", "Carmen", "Odile",
    "Anne-Laure", "Marie-Christine", "Gwenaëlle", "Maryvonne", "Bérénice", "Noémie", "Chantal",
)
MEN = (
    "Laurent", "Stéphane", "Christophe", "Philippe", "Nicolas", "Frédéric", "Olivier", "Éric",
    "Pascal", "Thierry", "David", "Sébastien", "Patrick", "Jérôme", "Franck", "Vincent",
    "Cédric", "Julien", "Alexandre", "Guillaume", "Thomas", "Mathieu", "Arnaud", "Fabrice",
    "Didier", "Bruno", "Hervé", "Emmanuel", "Yannick", "Grégory", "Jean-François", "Jean-Luc",
    "Pierre-Yves", "François", "Benoît", "Raphaël", "Karim", "Mourad", "Rachid", "Nordine",
    "Farid", "Samir", "Hakim", "Mohamed", "Abdelkader", "Mamadou", "Ibrahima", "Moussa",
    "Boubacar", "Mehmet", "Mustafa", "Ahmet", "Minh Tuan", "Van Long", "José", "Manuel",
    "Antonio", "Giuseppe", "Marco", "Jean", "Michel", "Gérard", "Joël", "Régis", "Loïc", "Hugues",
)
STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard des Belges",
    "rue Paul Bert", "cours Gambetta", "rue Garibaldi", "rue Duguesclin", "avenue de Saxe",
    "rue de Marseille", "chemin des Lilas", "allée des Érables", "impasse du Moulin",
    "rue Pasteur", "place Bellecour", "quai Claude Bernard", "rue de Créqui", "rue Tronchet",
    "rue des Chartreux", "montée de la Grande-Côte", "rue Saint-Jean", "avenue Berthelot",
    "route de Vienne", "rue du Château", "rue de l'Église", "chemin de la Forêt",
    "rue des Écoles", "avenue Franklin Roosevelt", "rue Émile Zola", "rue du Professeur Calmette",
    "grande rue de la Croix-Rousse", "rue Œillet", "rue d'Alsace", "avenue Lacassagne",
)
# (postal code, commune)
TOWNS = (
    ("69001", "Lyon"), ("69003", "Lyon"), ("69004", "Lyon"), ("69007", "Lyon"), ("69008", "Lyon"),
    ("69100", "Villeurbanne"), ("69200", "Vénissieux"), ("69500", "Bron"),
    ("69120", "Vaulx-en-Velin"), ("69600", "Oullins"), ("69300", "Caluire-et-Cuire"),
    ("69130", "Écully"), ("69400", "Villefranche-sur-Saône"), ("69140", "Rillieux-la-Pape"),
    ("69230", "Saint-Genis-Laval"), ("69700", "Givors"), ("69800", "Saint-Priest"),
    ("69330", "Meyzieu"), ("69150", "Décines-Charpieu"), ("69160", "Tassin-la-Demi-Lune"),
    ("69340", "Francheville"), ("69780", "Mions"), ("01000", "Bourg-en-Bresse"),
    ("01100", "Oyonnax"), ("01200", "Valserhône"), ("01500", "Ambérieu-en-Bugey"),
    ("01300", "Belley"), ("01600", "Trévoux"), ("42000", "Saint-Étienne"),
    ("42100", "Saint-Étienne"), ("42300", "Roanne"), ("42400", "Saint-Chamond"),
    ("42500", "Le Chambon-Feugerolles"), ("42600", "Montbrison"), ("42700", "Firminy"),
    ("42160", "Andrézieux-Bouthéon"),
)
# Whom schools are named after.
PATRONS = (
    "Jean Moulin", "Victor Hugo", "Jules Ferry", "Jean Jaurès", "Louis Pasteur", "Marie Curie",
    "Simone Veil", "Lucie Aubrac", "Albert Camus", "Jean Rostand", "Paul Éluard", "Jacques Prévert",
    "Antoine de Saint-Exupéry", "Georges Brassens", "Émile Zola", "Pierre Brossolette",
    "Germaine Tillion", "Olympe de Gouges", "Louise Michel", "George Sand", "Colette",
    "Claude Bernard", "André-Marie Ampère", "Lumière", "Édouard Herriot", "Honoré d'Urfé",
    "Jean de la Fontaine", "Molière", "Rabelais", "Montesquieu", "Voltaire", "Condorcet",
    "Théodore Monod", "Jean Monnet", "Robert Schuman", "Pablo Picasso", "Henri Matisse",
    "Claude Debussy", "Hector Berlioz", "Frédéric Mistral", "Charles de Gaulle", "Aimé Césaire",
    "Léopold Sédar Senghor", "Gisèle Halimi", "Joséphine Baker", "Marc Bloch", "Jean Zay",
    "Danielle Casanova", "Elsa Triolet", "Françoise Dolto", "Boris Vian", "Saint-Exupéry",
    "Les Battières", "Les Iris", "La Clavelière", "Le Plateau", "Les Gratte-Ciel", "Le Bréda",
    "Les Chartreux", "La Xavière", "Ève Curie", "Irène Joliot-Curie", "Rosa Parks",
    "Nelson Mandela",
)
# fmt: on

ALL_LISTS = (SURNAMES, GIRLS, BOYS, WOMEN, MEN, STREETS, PATRONS)
