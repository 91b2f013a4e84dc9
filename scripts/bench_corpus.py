"""An independent corpus and query mix for scripts/bench.py (``--mix independent``).

It shares nothing with the benchmark's own mix but the record format: its own French and English
vocabulary (general and domain words, a few thousand, written out below and Zipf-weighted), its own
names (some 170 cities in 30 countries, organisations built from them), longer bodies (several
paragraphs, 250-600 words per language, with the function words and set phrases of real prose), and
a query mix of 200 queries drawn from the generated records themselves, each labelled with its kind.
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from bisect import bisect
from itertools import accumulate

SEED = 17

# ---------------------------------------------------------------------------------------------------
# Vocabulary. Tiers in order of frequency: function words, head content words, then general and domain
# words mixed (deterministically shuffled), then rare words. Zipf weights follow the resulting rank.

FR_FUNCTION = """
de la le et les des à en un une du pour dans que qui sur par au aux avec est sont a ont pas plus ne se ce
cette ces il elle ils elles nous on leur leurs son sa ses ou mais comme tout tous toute toutes entre après
avant sans sous vers chez depuis pendant aussi très bien même autres autre deux trois où dont lors ainsi
alors donc car puis encore déjà souvent toujours chaque plusieurs certains certaines quelques peu beaucoup
moins notamment afin selon face grâce contre parmi été être avoir fait faire peut doivent permet était
"""

EN_FUNCTION = """
the of and to in a for is on that with by as are from at this be an or which it their its has have was were
not but all can will more also they these other into who between such than through after about over each
many most some both been where when while during within without under across our there two three them
those very well only so any often already still then thus because before since upon around may must
"""

FR_HEAD = """
ville projet personnes accompagnement réfugiés services programme soutien local communauté accès familles
travail formation participants quartier partenaires langue logement emploi santé école jeunes enfants
femmes associations municipalité activités information aide arrivants région pays initiative réseau
besoins bénévoles centre public action
"""

EN_HEAD = """
city project people support refugees services programme local community access families work training
participants neighbourhood partners language housing employment health school young children women
associations municipality activities information help newcomers region country initiative network needs
volunteers centre public action
"""

FR_GENERAL = """
année années temps jour jours semaine semaines mois matin soir heure heures moment période début fin suite
place lieu lieux espace salle bureau bureaux maison maisons rue rues route gare bus train voiture vélo
parc jardin jardins cuisine repas table chaise porte fenêtre bâtiment immeuble étage appartement chambre
groupe groupes équipe équipes membre membres personne homme hommes fille filles garçon garçons mère père
parents enfant frère sœur ami amis voisin voisins habitant habitants citoyen citoyens public publics
travailleur travailleurs salarié salariés patron client clients usager usagers élève élèves étudiant
étudiants professeur professeurs enseignant enseignants médecin médecins infirmier infirmière avocat
juriste interprète interprètes traducteur médiateur médiatrice animateur animatrice coordinateur
coordinatrice directeur directrice responsable responsables agent agents conseiller conseillère
question questions problème problèmes solution solutions idée idées exemple exemples cas manière façon
moyen moyens outil outils méthode méthodes étape étapes niveau niveaux partie parties part forme formes
nombre chiffre chiffres total moitié tiers quart dizaine centaine millier milliers budget coût coûts
prix argent fonds financement subvention subventions dépense dépenses recette ressources contrat
contrats accord accords convention conventions règle règles loi lois décret cadre politique politiques
plan plans stratégie stratégies objectif objectifs résultat résultats effet effets impact impacts
changement changements évolution progrès développement croissance amélioration qualité quantité
demande demandes offre offres réponse réponses besoin intérêt intérêts avis opinion choix décision
décisions débat débats discussion discussions réunion réunions rencontre rencontres atelier ateliers
séance séances cours leçon leçons classe classes examen examens diplôme diplômes certificat attestation
dossier dossiers document documents formulaire formulaires papier papiers lettre lettres courrier message
messages téléphone ordinateur internet site plateforme application numérique écran vidéo film photo
photos image images livre livres journal journaux article articles rapport rapports étude études
enquête enquêtes analyse analyses donnée données statistique statistiques recherche recherches
connaissance connaissances savoir compétence compétences expérience expériences pratique pratiques
culture cultures histoire histoires mémoire tradition traditions religion fête fêtes musique chanson
théâtre danse sport sports football match jeu jeux loisir loisirs vacances voyage voyages visite visites
nature environnement climat eau énergie déchets alimentation nourriture produit produits marché marchés
magasin commerce entreprise entreprises société sociétés industrie agriculture restaurant hôtel usine
secteur secteurs branche métier métiers profession professions poste postes carrière salaire salaires
revenu revenus impôt impôts loyer loyers facture factures dette dettes banque compte épargne assurance
sécurité danger risque risques protection prévention urgence urgences crise crises conflit conflits
guerre paix violence violences victime victimes justice tribunal police frontière frontières route
départ arrivée retour séjour voyageurs passage transit trajet parcours chemin itinéraire destination
origine racine racines identité nationalité statut titre carte permis visa autorisation procédure
procédures démarche démarches délai délais attente file rendez-vous guichet accueil entretien entretiens
écoute confiance respect dignité égalité liberté solidarité fraternité tolérance ouverture dialogue
échange échanges lien liens relation relations contact contacts proximité distance isolement solitude
bien-être bonheur joie peur colère tristesse stress fatigue douleur maladie maladies soin soins
traitement traitements médicament hôpital clinique pharmacie vaccin vaccination grossesse naissance
bébé bébés âge âgées vieillesse retraite handicap invalidité mobilité transport transports
grand grande grands grandes petit petite petits petites nouveau nouvelle nouvelles nouveaux ancien
ancienne anciens jeune âgé premier première premiers dernière derniers prochain prochaine seul seule
seuls propre propres vrai vraie simple simples facile difficile difficiles possible impossible
important importante importants importantes principal principale principaux essentiel essentielle
nécessaire nécessaires utile utiles efficace efficaces durable durables stable fragile fragiles
rapide rapides lent lente long longue longs court courte courts large larges fort forte forts faible
faibles haut haute bas basse plein pleine vide ouvert ouverte fermé fermée libre libres gratuit
gratuite gratuits payant commun commune communs communes collectif collective collectifs individuel
individuelle individuels personnel personnelle social sociale sociaux sociales culturel culturelle
culturels économique économiques politique civique civiques citoyenne citoyenne national nationale
nationaux régional régionale municipal municipale municipaux urbain urbaine rural rurale ruraux
européen européenne européens international internationale étranger étrangère étrangers étrangères
humain humaine humains humaines familial familiale familiaux scolaire scolaires professionnel
professionnelle professionnels médical médicale médicaux juridique juridiques administratif
administrative administratifs financier financière financiers technique techniques pratique concrète
concret concrets réel réelle actuel actuelle prochains différent différente différents différentes
divers diverse diverses varié variée variés pareil semblable proche proches lointain lointaine
ensemble environ presque surtout vraiment simplement rapidement lentement directement ensuite enfin
aujourd'hui demain hier maintenant bientôt parfois rarement jamais partout ailleurs dehors dedans
ici là-bas loin près autour dessus dessous devant derrière ensemble seulement également plutôt
aider accueillir accompagner orienter informer former apprendre enseigner étudier lire écrire parler
comprendre expliquer traduire écouter regarder voir montrer donner recevoir prendre rendre offrir
proposer organiser préparer construire créer développer lancer mener conduire gérer diriger financer
soutenir renforcer améliorer adapter changer transformer ouvrir fermer commencer finir continuer
poursuivre arrêter rester partir arriver venir aller revenir entrer sortir monter descendre passer
trouver chercher perdre gagner payer acheter vendre louer habiter vivre travailler jouer chanter danser
cuisiner manger boire dormir marcher courir conduire voyager visiter rencontrer réunir partager
échanger discuter décider choisir voter participer contribuer collaborer coopérer coordonner
évaluer mesurer suivre observer analyser comparer vérifier contrôler protéger prévenir soigner guérir
respecter reconnaître accepter refuser demander répondre appeler écrire inscrire signer remplir déposer
obtenir attendre espérer souhaiter vouloir pouvoir devoir savoir connaître penser croire sentir
"""

EN_GENERAL = """
year years time day days week weeks month months morning evening hour hours moment period start end
place places space room office offices house houses street streets road station bus train car bike
park garden gardens kitchen meal table chair door window building block floor flat bedroom
group groups team teams member members person man men girl girls boy boys mother father parents
child brother sister friend friends neighbour neighbours resident residents citizen citizens
worker workers employee employees employer customer customers user users pupil pupils student
students teacher teachers doctor doctors nurse nurses lawyer lawyers interpreter interpreters
translator mediator mediators facilitator coordinator coordinators director manager managers officer
officers adviser advisers caseworker caseworkers
question questions problem problems solution solutions idea ideas example examples case way ways means
tool tools method methods step steps level levels part parts form forms number figure figures total half
third quarter dozen hundred hundreds thousand thousands budget cost costs price money fund funds funding
grant grants spending expenses income resources contract contracts agreement agreements rule rules law
laws decree framework policy policies plan plans strategy strategies goal goals aim aims result results
effect effects impact change changes progress development growth improvement quality quantity
request requests offer answer answers need interest interests view opinion choice decision decisions
debate debates discussion discussions meeting meetings gathering workshop workshops session sessions
course courses lesson lessons class classes exam exams diploma diplomas certificate certificates
file files document documents paper papers letter letters mail message messages phone computer
internet website platform app digital screen video film photo photos picture pictures book books
newspaper article articles report reports study studies survey surveys analysis data statistics
research knowledge skill skills experience experiences practice culture cultures history story stories
memory tradition traditions religion festival festivals music song theatre dance sport sports football
game games leisure holiday trip trips visit visits nature environment climate water energy waste food
product products market markets shop trade business businesses company companies industry farming
restaurant hotel factory sector sectors branch trade trades job jobs career wage wages salary salaries
tax taxes rent bill bills debt debts bank account savings insurance safety danger risk risks protection
prevention emergency emergencies crisis crises conflict conflicts war peace violence victim victims
justice court police border borders departure arrival return stay travellers passage transit journey
route path destination origin roots identity nationality status title card permit visa authorisation
procedure procedures paperwork deadline deadlines waiting queue appointment desk reception interview
interviews listening trust respect dignity equality freedom solidarity tolerance openness dialogue
exchange exchanges link links relationship relationships contact contacts closeness distance isolation
loneliness wellbeing happiness joy fear anger sadness stress fatigue pain illness illnesses care
treatment treatments medicine hospital clinic pharmacy vaccine vaccination pregnancy birth baby babies
age elderly old retirement disability mobility transport
big large great small little new old young first last next own true simple easy difficult hard
possible impossible important main key essential necessary useful effective lasting sustainable stable
fragile fast quick slow long short wide strong weak high low full empty open closed free paid common
shared collective individual personal social cultural economic political civic national regional
municipal urban rural european international foreign human family school professional medical legal
administrative financial technical practical concrete real current different various varied similar
close near distant together nearly mostly really simply quickly slowly directly later finally today
tomorrow yesterday now soon sometimes rarely never everywhere elsewhere outside inside here there far
around above below ahead behind only also rather
help welcome accompany guide inform train learn teach study read write speak understand explain
translate listen watch see show give receive take return offer propose organise prepare build create
develop launch lead run manage direct fund support strengthen improve adapt change transform open close
begin finish continue pursue stop remain leave arrive come go enter exit climb pass find search lose
win pay buy sell rent live work play sing dance cook eat drink sleep walk drive travel visit meet
gather share discuss decide choose vote participate contribute collaborate cooperate coordinate
assess measure follow observe analyse compare check monitor protect prevent care heal respect
recognise accept refuse ask answer call register sign fill submit obtain wait hope wish want know
think believe feel
"""

FR_DOMAIN = """
asile demandeur demandeurs demandeuse réfugiée réfugiées exilé exilés exilées migrant migrants
migrante migrantes migration migrations immigration immigré immigrés émigration déplacés apatride
apatrides protection subsidiaire temporaire réinstallation relocalisation regroupement rapatriement
intégration inclusion insertion cohésion participation autonomie émancipation citoyenneté naturalisation
mineurs isolés non-accompagnés tuteur tutelle parrainage parrain marraine mentorat mentor tutorat
hébergement hébergements foyer foyers colocation bailleur bailleurs propriétaire propriétaires
locataire locataires HLM social sociaux relogement expulsion squat sans-abri abri abris urgence
centre d'accueil CADA campement campements logements vacants colocataires
emploi chômage chômeur chômeurs embauche recrutement stage stages apprentissage alternance
qualification qualifications reconnaissance équivalence validation acquis reconversion entrepreneuriat
microcrédit coopérative employeurs syndicat syndicats prud'hommes intérim bénévolat volontariat
français FLE alphabétisation illettrisme interprétariat traduction langues maternelle bilingue
plurilinguisme scolarisation scolarité maternelle primaire collège lycée université universitaire
bourse bourses décrochage orientation périscolaire cantine crèche garde petite enfance
santé mentale psychologique psychologue psychiatre traumatisme traumatismes psychotrauma écoute
souffrance dépression addiction addictions sexuelle reproductive maternelle nutrition dentaire
handicapés couverture CMU mutuelle sécurité sociale droits droit accès aux droits domiciliation
préfecture mairie commune communes intercommunalité département conseil départemental métropole
collectivité collectivités territoriale territoriales territoire territoires élus élu maire adjoint
adjointe délégué déléguée ONG fondation fondations caritative caritatives confessionnelle
confessionnelles paroisse mosquée synagogue église temple diaspora diasporas communautaire
discrimination discriminations racisme xénophobie préjugés stéréotypes antiracisme sensibilisation
plaidoyer mobilisation interculturel interculturelle interculturalité mixité diversité vivre-ensemble
égalité hommes-femmes genre LGBTIQ violences conjugales excision mariage forcé traite exploitation
évaluation suivi indicateurs indicateur diagnostic cartographie capitalisation essaimage expérimentation
gouvernance pilotage concertation consultation co-construction coordination partenariat partenariats
financeur financeurs appel à projets cofinancement FAMI FSE mécénat philanthropie
médiation médiateurs pair-aidance pairs interprétation permanence permanences maraude maraudes
épicerie solidaire vestiaire laverie bagagerie colis distribution alimentaire restos soupe
transport gratuit tickets abonnement covoiturage auto-école permis de conduire
numérique fracture illectronisme ordinateurs smartphones wifi tablette tablettes
culture bibliothèque médiathèque musée musées cinéma conservatoire chorale orchestre
sportif sportive sportives club clubs stade gymnase piscine randonnée natation boxe
jardinage potager potagers compost quartier prioritaire politique de la ville centre social maison
de quartier ludothèque
ménage ménages loyer impayé impayés caution garant garants colocation solidaire intermédiation locative
bail baux quittance charges chauffage isolation insalubrité surpeuplement taudis relogé relogée relogés
chantier chantiers bâtiment maçonnerie plomberie électricité menuiserie peinture nettoyage entretien
logistique manutention entrepôt livraison livreur chauffeur soudure mécanique restauration service
vendeur vendeuse caissier caissière aide-soignant aide-soignante auxiliaire puériculture esthétique
coiffure boulanger pâtissier boucher cuisinier serveur serveuse plongeur réceptionniste comptable
secrétaire informaticien développeur ingénieur architecte technicien technicienne électricien
agricole saisonnier saisonniers vendanges récolte élevage maraîchage pêche forestier bûcheron
bilan bilans entretien d'embauche curriculum lettre de motivation candidature candidatures offre
d'emploi contrat aidé CDD CDI temps partiel horaires décalés salaire minimum convention collective
inspection médecine du travail accident arrêt maladie congé congés maternité paternité allocation
allocations prestations RSA pension minimum vieillesse caisse caisses guichet unique dossier social
hébergé hébergée hébergés accueillant accueillante accueillants famille d'accueil familles d'accueil
cohabitation intergénérationnelle colocataires étudiants chambre chez l'habitant
rescapé rescapés naufrage naufragés sauvetage Méditerranée Balkans Sahel corridor humanitaire
visa humanitaire évacuation évacués retour volontaire éloignement rétention expulsé expulsés
recours appel OFPRA CNDA audience avocate greffe jurisprudence contentieux notification rejet
protection internationale titre de séjour carte de résident récépissé renouvellement
"""

EN_DOMAIN = """
asylum seeker seekers applicant applicants refugee exile exiles migrant migrants migration
migrations immigration immigrant immigrants emigration displaced stateless protection subsidiary
temporary resettlement relocation reunification repatriation integration inclusion insertion cohesion
participation autonomy empowerment citizenship naturalisation minors unaccompanied guardian
guardianship sponsorship sponsor sponsors mentoring mentor mentors tutoring
accommodation shelter shelters hostel hostels flatshare landlord landlords owner owners tenant tenants
council social tenancy rehousing eviction eviction homeless homelessness shelter emergency reception
camp camps vacant homes flatmates
employment unemployment unemployed hiring recruitment internship internships apprenticeship
apprenticeships qualification qualifications recognition equivalence validation retraining
entrepreneurship microcredit cooperative employers union unions tribunal temping volunteering
english literacy illiteracy interpreting translation languages mother tongue bilingual
multilingualism schooling enrolment nursery primary secondary college university scholarship
scholarships dropout guidance afterschool canteen childcare early years
mental psychological psychologist psychiatrist trauma traumas counselling suffering depression
addiction addictions sexual reproductive maternal nutrition dental disabled coverage insurance
welfare benefits rights entitlements address registration prefecture town hall borough boroughs
county district metropolitan authority authorities territorial territory territories councillors
councillor mayor deputy delegate NGO foundation foundations charity charities faith parish mosque
synagogue church temple diaspora diasporas grassroots discrimination racism xenophobia prejudice
stereotypes antiracism awareness advocacy mobilisation intercultural interculturality mixing
diversity gender LGBTIQ domestic abuse mutilation forced marriage trafficking exploitation
evaluation monitoring indicators indicator diagnosis mapping scaling replication pilot piloting
governance steering consultation co-design coordination partnership partnerships funder funders
call for proposals cofunding AMIF ESF patronage philanthropy
mediation mediators peer peers interpretation helpdesk outreach
foodbank pantry clothing laundry parcels distribution soup kitchen
free tickets pass carpooling driving licence lessons
digital divide computers smartphones wifi tablet tablets
library libraries museum museums cinema choir orchestra
sporting club clubs stadium gym swimming hiking boxing cricket basketball
gardening allotment allotments compost deprived area regeneration community centre youth club
playgroup
household households arrears deposit guarantor guarantors lodging lease leases payslip utilities heating
insulation damp overcrowding slum rehoused construction site sites building masonry plumbing electricity
carpentry painting cleaning maintenance logistics handling warehouse delivery courier driver welding
mechanics catering hospitality salesperson cashier caregiver carer auxiliary childminder beautician
hairdresser baker pastry butcher chef waiter waitress dishwasher receptionist accountant secretary
programmer developer engineer architect technician electrician agricultural seasonal harvest grape
picking livestock market-gardening fishing forestry lumberjack assessment assessments job interview
curriculum vitae cover letter application applications vacancy vacancies subsidised fixed-term
permanent part-time shifts minimum wage collective bargaining inspection occupational accident sick
leave maternity paternity allowance allowances entitlement pension jobcentre one-stop-shop casefile
hosted hosting host hosts foster fostering intergenerational homestay lodger lodgers
survivor survivors shipwreck rescue Mediterranean Balkans Sahel humanitarian corridor evacuation
evacuees voluntary return removal detention deported deportation appeal appeals hearing barrister
solicitor caselaw litigation notification refusal international residence permit renewal
"""

FR_RARE = """
abécédaire accordéon aquarelle archipel artisanat astronomie atlas auberge aubépine avalanche
baladeur balcon bambou bannière baroque barque bastide belvédère bergerie bestiaire bibelot
biscuit blason bocage boulangerie bouquiniste boussole brocante brouillard cabane cadran calligraphie
canal canoë carillon carrousel cartable cascade céramique chalet champignon chandelle chapiteau
charpente chaudron cheminée cigogne citadelle clairière clocher colline comptoir coquelicot corniche
couture cratère crépuscule cueillette dentelle docks dune écluse éolienne épicerie escalier estuaire
étable fanfare faubourg fenil ferronnerie filature flânerie fontaine forge fresque friche galet
garrigue glycine grenier guinguette hameau horloge houblon îlot jachère jetée kiosque lanterne
lavoir lucarne luthier manoir marais maraîcher marelle mégisserie meunier mosaïque moulin
oliveraie orangerie palissade passerelle pâturage péniche pergola phare pigeonnier platane
poterie prairie presbytère quai rempart rizière roseraie ruelle sablier scierie sentier tannerie
terrasse tisserand tonnelle tramway treille tuilerie vendange verger viaduc vignoble volière
"""

EN_RARE = """
abacus accordion watercolour archipelago craftsmanship astronomy almanac inn hawthorn avalanche
balcony bamboo banner baroque barge belvedere sheepfold bestiary trinket biscuit heraldry hedgerow
bakery bookseller compass fleamarket fog cabin sundial calligraphy canal canoe chime carousel
satchel waterfall ceramics chalet mushroom candle marquee rafters cauldron chimney stork citadel
clearing steeple hillside counter poppy ledge tailoring crater twilight harvest lace docks dune
lock windmill staircase estuary stable brass suburb hayloft ironwork spinning stroll fountain forge
fresco wasteland pebble scrubland wisteria attic tavern hamlet clock hops islet fallow pier kiosk
lantern washhouse skylight luthier manor marsh greengrocer hopscotch tannery miller mosaic mill
olive grove orangery fence footbridge pasture narrowboat pergola lighthouse dovecote plane pottery
meadow vicarage wharf rampart paddy rosary alley hourglass sawmill footpath terrace weaver arbour
tram trellis brickworks vintage orchard viaduct vineyard aviary
"""

FR_COLLOCATIONS = """
accès au logement | marché du travail | santé mentale | cours de langue | droit d'asile | demandeurs d'asile
mineurs non accompagnés | logement social | centre d'accueil | nouveaux arrivants | vie quotidienne
de la ville | à la fois | en effet | mise en place | prise en charge | tout au long | au sein de | dans le cadre
de la part | en lien avec | à partir de | les familles réfugiées | les services municipaux | le quartier
la recherche d'emploi | la reconnaissance des diplômes | l'apprentissage du français | les droits sociaux
l'accès aux soins | la société d'accueil | les acteurs locaux | le travail social | les jeunes réfugiés
les associations locales | un logement stable | une formation professionnelle | la petite enfance
les personnes âgées | les femmes migrantes | la vie associative | le conseil municipal | les bénévoles
la lutte contre les discriminations | la participation des habitants | l'égalité des chances
"""

EN_COLLOCATIONS = """
access to housing | labour market | mental health | language classes | right to asylum | asylum seekers
unaccompanied minors | social housing | reception centre | new arrivals | everyday life | of the city
at the same time | in fact | set up | taken care of | all along | within the | as part of | on behalf of
in connection with | starting from | refugee families | municipal services | the neighbourhood
job search | recognition of qualifications | learning the language | social rights | access to care
host society | local actors | social work | young refugees | local associations | stable housing
vocational training | early childhood | older people | migrant women | community life | city council
the volunteers | the fight against discrimination | residents' participation | equal opportunities
"""

# Names: cities by country (ISO code), organisation patterns, surnames for foundations and authors.
CITIES = {
    "FR": ["Lyon", "Lille", "Nantes", "Marseille", "Grenoble", "Strasbourg", "Rennes", "Montpellier", "Toulouse",
           "Bordeaux", "Dijon", "Besançon"],
    "BE": ["Liège", "Namur", "Charleroi", "Antwerpen", "Leuven", "Mons"],
    "CH": ["Genève", "Lausanne", "Bern", "Zürich", "Basel", "Neuchâtel"],
    "LU": ["Esch-sur-Alzette", "Differdange", "Dudelange"],
    "DE": ["Köln", "München", "Dresden", "Bremen", "Mannheim", "Freiburg", "Kassel"],
    "AT": ["Linz", "Salzburg", "Innsbruck", "Klagenfurt"],
    "NL": ["Amsterdam", "Den Haag", "Eindhoven", "Groningen", "Tilburg"],
    "IT": ["Milano", "Palermo", "Bari", "Genova", "Padova", "Trieste", "Catania"],
    "ES": ["Madrid", "Sevilla", "Bilbao", "Zaragoza", "Málaga", "Murcia"],
    "PT": ["Coimbra", "Braga", "Faro", "Setúbal"],
    "GR": ["Pátra", "Lárisa", "Ioánnina", "Mytilíni", "Chaniá"],
    "IE": ["Dublin", "Cork", "Galway", "Limerick"],
    "GB": ["Glasgow", "Manchester", "Leeds", "Bristol", "Cardiff", "Sheffield", "Belfast"],
    "DK": ["Aarhus", "Odense", "Aalborg"],
    "NO": ["Oslo", "Bergen", "Trondheim", "Stavanger"],
    "SE": ["Uppsala", "Örebro", "Västerås", "Linköping", "Umeå"],
    "FI": ["Espoo", "Vantaa", "Jyväskylä", "Lahti", "Kuopio"],
    "PL": ["Wrocław", "Poznań", "Łódź", "Szczecin", "Białystok"],
    "CZ": ["Praha", "Brno", "Ostrava", "Plzeň"],
    "SK": ["Bratislava", "Košice", "Žilina"],
    "HU": ["Budapest", "Debrecen", "Szeged", "Pécs"],
    "RO": ["București", "Cluj-Napoca", "Iași", "Timișoara"],
    "HR": ["Zagreb", "Split", "Rijeka"],
    "SI": ["Ljubljana", "Maribor"],
    "LT": ["Vilnius", "Kaunas"],
    "EE": ["Tallinn", "Tartu"],
    "MD": ["Chișinău", "Bălți"],
    "CA": ["Montréal", "Québec", "Toronto", "Winnipeg", "Halifax", "Ottawa"],
    "MA": ["Rabat", "Oujda", "Tanger"],
    "SN": ["Dakar", "Thiès", "Ziguinchor"],
}
FR_COUNTRIES = {"FR", "BE", "CH", "LU", "CA", "MA", "SN"}
ORGS_FR = ["Ville de {city}", "Croix-Rouge de {city}", "Secours populaire de {city}", "Association Passerelles {city}",
           "Maison des solidarités de {city}", "Collectif Bienvenue {city}", "Centre social {surname}",
           "Fondation {surname}", "Université de {city}", "Conseil des réfugiés de {city}", "Mission locale de {city}",
           "Emmaüs {city}", "Réseau Éducation sans frontières {city}", "Foyer {surname}"]
ORGS_EN = ["{city} City Council", "Red Cross {city}", "{city} Welcome Network", "{surname} Foundation",
           "University of {city}", "{city} Refugee Council", "Caritas {city}", "{city} Migrant Centre",
           "{city} Housing Cooperative", "St {surname}'s Parish", "{city} Employment Hub", "Open Doors {city}",
           "{surname} Trust"]
SURNAMES = """Martin Bernard Dubois Lefèvre Moreau Laurent Girard Roux Fournier Mercier Blanc Guérin Müller Schmidt
Fischer Weber Rossi Russo Ferrari Esposito García Fernández López Silva Santos Costa Papadopoulos Nowak Kowalski
Wiśniewska Novák Horváth Nagy Popescu Ionescu Jensen Hansen Larsen Johansson Lindqvist Virtanen Korhonen Murphy
Kelly O'Brien Smith Jones Taylor Brown Wilson Evans Diallo Ndiaye Traoré Benali Haddad Khoury Rahimi Ahmadi
Hosseini Yilmaz Demir Kaya Okafor Mensah Tesfaye Abdi Haile Osman""".split()
DOCUMENT_TYPES = ["report", "toolkit", "guidance", "policy", "handbook", "working-paper"]


def _words(text: str) -> list[str]:
    seen, out = set(), []
    for w in text.split():
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


class Vocabulary:
    """One language's words in rank order, with Zipf weights, set phrases and names."""

    def __init__(self, lang: str, seed: int = SEED):
        g = globals()
        up = lang.upper()
        self.lang = lang
        self.function = _words(g[f"{up}_FUNCTION"])
        self.head = [w for w in _words(g[f"{up}_HEAD"]) if w not in self.function]
        taken = set(self.function) | set(self.head)
        middle = [w for w in _words(g[f"{up}_GENERAL"] + " " + g[f"{up}_DOMAIN"]) if w not in taken]
        random.Random(f"{seed}-{lang}").shuffle(middle)
        taken |= set(middle)
        self.rare = [w for w in _words(g[f"{up}_RARE"]) if w not in taken]
        self.middle = middle
        # the first head words rank among the function words, so that they are in most bodies
        self.words = self.function[:15] + self.head[:12] + self.function[15:] + self.head[12:] + middle + self.rare
        self.content = self.head + middle + self.rare  # what a title or a query word is drawn from
        self.cum = list(accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))))
        self.content_cum = list(accumulate(1.0 / (rank + 4) for rank in range(len(self.content))))
        self.phrases = [p.strip() for p in g[f"{up}_COLLOCATIONS"].replace("\n", " ").split("|") if p.strip()]
        self.orgs = ORGS_FR if lang == "fr" else ORGS_EN

    def draw(self, rnd: random.Random, k: int) -> list[str]:
        total = self.cum[-1]
        return [self.words[bisect(self.cum, rnd.random() * total)] for _ in range(k)]

    def draw_content(self, rnd: random.Random, k: int) -> list[str]:
        total = self.content_cum[-1]
        return [self.content[bisect(self.content_cum, rnd.random() * total)] for _ in range(k)]


_VOCABS: dict[str, Vocabulary] = {}


def vocabulary(lang: str) -> Vocabulary:
    if lang not in _VOCABS:
        _VOCABS[lang] = Vocabulary(lang)
    return _VOCABS[lang]


def size() -> dict[str, int]:
    """How many distinct words and set phrases each language has."""
    return {lang: len(vocabulary(lang).words) for lang in ("fr", "en")} | {
        f"{lang}_phrases": len(vocabulary(lang).phrases) for lang in ("fr", "en")}


# ---------------------------------------------------------------------------------------------------
# Text


def sentence(rnd: random.Random, v: Vocabulary, names: list[str]) -> str:
    words = v.draw(rnd, rnd.randint(8, 24))
    if rnd.random() < 0.55:  # a set phrase, as real prose has them
        words.insert(rnd.randrange(len(words) + 1), rnd.choice(v.phrases))
    if names and rnd.random() < 0.12:
        words.insert(rnd.randrange(len(words) + 1), rnd.choice(names))
    text = " ".join(words)
    if rnd.random() < 0.3:
        cut = text.find(" ", len(text) // 2)
        if cut > 0:
            text = text[:cut] + "," + text[cut:]
    return text[0].upper() + text[1:] + "."


def body(rnd: random.Random, v: Vocabulary, names: list[str], lo: int = 250, hi: int = 600) -> str:
    """Several paragraphs, ``lo``-``hi`` words in all."""
    target = rnd.randint(lo, hi)
    paragraphs, count = [], 0
    while count < target:
        para = []
        for _ in range(rnd.randint(3, 6)):
            s = sentence(rnd, v, names)
            para.append(s)
            count += s.count(" ") + 1
            if count >= target:
                break
        paragraphs.append(" ".join(para))
    return "\n\n".join(paragraphs)


def title(rnd: random.Random, v: Vocabulary, place: str | None) -> str:
    words = v.draw_content(rnd, rnd.randint(3, 7))
    if rnd.random() < 0.4:
        words.insert(rnd.randrange(len(words) + 1), rnd.choice(v.phrases))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    if place:
        text += (" à " if v.lang == "fr" else " in ") + place
    return text


def organisation(rnd: random.Random, city: str, lang: str) -> str:
    pattern = rnd.choice(ORGS_FR if lang == "fr" else ORGS_EN)
    return pattern.format(city=city, surname=rnd.choice(SURNAMES))


def record(i: int, rnd: random.Random, fw) -> dict:
    """One valid record (a practice, or one time in eight a reference) as a dict ready to write."""
    themes = {t.number: t for t in fw.themes}
    t1 = rnd.randint(1, 6)
    theme_ids = [t1] + ([rnd.choice([t for t in themes if t != t1])] if rnd.random() < 0.35 else [])
    fr, en = vocabulary("fr"), vocabulary("en")
    if i % 8 == 7:
        lang = rnd.choice(["fr", "en"])
        v = fr if lang == "fr" else en
        authors = sorted({f"{rnd.choice(SURNAMES)}, {chr(65 + rnd.randrange(26))}." for _ in range(rnd.randint(0, 3))})
        return {"id": f"ref-indep-{i:06d}", "kind": "reference", "title": title(rnd, v, None), "authors": authors,
                "publisher": organisation(rnd, rnd.choice(rnd.choice(list(CITIES.values()))), lang),
                "year": rnd.randint(1998, 2025), "links": [{"url": f"https://publications.example.net/{i}"}],
                "language": lang, "document_type": rnd.choice(DOCUMENT_TYPES), "themes": theme_ids,
                "description": {"fr": " ".join(sentence(rnd, fr, []) for _ in range(rnd.randint(1, 3))),
                                "en": " ".join(sentence(rnd, en, []) for _ in range(rnd.randint(1, 3)))},
                "source": {"document": "contribution"}, "added": "2026-12-01", "last_verified": "2026-12-01"}
    country = rnd.choice(list(CITIES))
    place = rnd.choice(CITIES[country])
    local = "fr" if country in FR_COUNTRIES else "en"
    orgs = sorted({organisation(rnd, place, local if rnd.random() < 0.7 else rnd.choice(["fr", "en"]))
                   for _ in range(rnd.randint(1, 3))})
    names = [place, *orgs]
    facets = {k: [t.id for t in getattr(fw.facets, k)] for k in ("actor_types", "target_groups", "sectors")}
    sfs = [sf.id for t in theme_ids for sf in themes[t].success_factors]
    items = [it.id for t in theme_ids for it in themes[t].checklist]
    return {"id": f"{country.lower()}-indep-{i:06d}", "kind": "practice",
            "title": {"fr": title(rnd, fr, place), "en": title(rnd, en, place)},
            "summary": {"fr": body(rnd, fr, names), "en": body(rnd, en, names)},
            "country": country, "place": place, "organisations": orgs,
            "actor_types": rnd.sample(facets["actor_types"], rnd.randint(1, 3)),
            "year_started": rnd.randint(1995, 2025), "themes": theme_ids,
            "success_factors": rnd.sample(sfs, rnd.randint(1, min(4, len(sfs)))),
            "checklist_items": rnd.sample(items, rnd.randint(1, min(5, len(items)))),
            "indicators": [{"id": ind, "evidence": {"fr": sentence(rnd, fr, names), "en": sentence(rnd, en, names)}}
                           for ind in rnd.sample(list(fw.indicators), rnd.randint(1, 4))],
            "target_groups": rnd.sample(facets["target_groups"], rnd.randint(1, 4)),
            "sectors": rnd.sample(facets["sectors"], rnd.randint(1, 4)),
            "links": [{"url": f"https://practices.example.net/{country.lower()}/{i}"}],
            "source": {"document": "contribution"}, "added": "2026-12-01", "last_verified": "2026-12-01"}


# ---------------------------------------------------------------------------------------------------
# Query mix: 200 queries, each (kind, query, filters), drawn from a sample of the records themselves.

KINDS = {  # kind: how many of the 200
    "1 word": 30, "2-3 words": 30, "phrase": 30, "many words": 20, "misspelt": 25,
    "filters only": 20, "filters + words": 25, "most of collection": 20,
}
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _misspell(rnd: random.Random, word: str, edits: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyzéèà"
    for _ in range(edits):
        i = rnd.randrange(1, len(word) - 1)
        op = rnd.randrange(4)
        if op == 0:
            word = word[:i] + word[i + 1:]
        elif op == 1:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif op == 2:
            word = word[:i] + rnd.choice(letters) + word[i + 1:]
        else:
            word = word[:i] + rnd.choice(letters) + word[i:]
    return word


def queries(samples: list[dict], seed: int = SEED) -> list[tuple[str, str, dict]]:
    """The 200 queries, from ``samples`` (a deterministic sample of the generated records as dicts)."""
    rnd = random.Random(seed)
    practices = [r for r in samples if r["kind"] == "practice"]
    texts = {lang: [r["summary"][lang] for r in practices] for lang in ("fr", "en")}
    vocabs = {lang: vocabulary(lang) for lang in ("fr", "en")}
    known = set(vocabs["fr"].words) | set(vocabs["en"].words)
    countries = sorted({r["country"] for r in practices})
    out: list[tuple[str, str, dict]] = []

    def lang() -> str:
        return rnd.choice(["fr", "en"])

    def middle_word(v: Vocabulary, long: bool = False) -> str:
        while True:
            w = v.draw_content(rnd, 1)[0]
            if w not in v.head and (not long or len(w) >= 6) and "'" not in w:
                return w

    def span(lang: str, n: int, common: bool) -> str:
        while True:
            tokens = _TOKEN.findall(rnd.choice(texts[lang]).lower())
            start = rnd.randrange(len(tokens) - n)
            words = tokens[start:start + n]
            has_function = any(w in vocabs[lang].function for w in words)
            if has_function == common and all(len(w) > 1 for w in words):
                return " ".join(words)

    def filters() -> dict:
        f = {}
        if rnd.random() < 0.7:
            f["country"] = [rnd.choice(countries)]
        if "country" not in f or rnd.random() < 0.5:
            f["theme"] = [str(rnd.randint(1, 6))]
        return f

    for _ in range(KINDS["1 word"]):
        out.append(("1 word", middle_word(vocabs[lang()]), {}))
    for _ in range(KINDS["2-3 words"]):
        v = vocabs[lang()]
        out.append(("2-3 words", " ".join(middle_word(v) for _ in range(rnd.randint(2, 3))), {}))
    for n in range(KINDS["phrase"]):
        la = lang()
        if n % 3 == 0:  # a set phrase of 2-3 words, in many records
            text = rnd.choice([p for p in vocabs[la].phrases if 2 <= len(p.split()) <= 3])
        else:  # a span of a record's text: with a common word one time in two
            text = span(la, rnd.randint(2, 3), common=n % 3 == 1)
        out.append(("phrase", f'"{text}"', {}))
    for _ in range(KINDS["many words"]):
        la = lang()
        if rnd.random() < 0.5:  # words of one record, out of order
            tokens = [t for t in _TOKEN.findall(rnd.choice(texts[la]).lower()) if t not in vocabs[la].function]
            words = rnd.sample(tokens, rnd.randint(5, 8))
        else:
            words = [middle_word(vocabs[la]) for _ in range(rnd.randint(5, 8))]
        out.append(("many words", " ".join(words), {}))
    for n in range(KINDS["misspelt"]):
        v = vocabs[lang()]
        while True:
            typo = _misspell(rnd, middle_word(v, long=True), 1 if n % 2 else 2)
            if typo not in known:
                break
        out.append(("misspelt", typo if n % 3 else f"{typo} {middle_word(v)}", {}))
    for _ in range(KINDS["filters only"]):
        out.append(("filters only", "", filters()))
    for _ in range(KINDS["filters + words"]):
        v = vocabs[lang()]
        out.append(("filters + words", " ".join(middle_word(v) for _ in range(rnd.randint(1, 2))), filters()))
    for _ in range(KINDS["most of collection"]):
        v = vocabs[lang()]
        out.append(("most of collection", " ".join(rnd.sample(v.head[:12], rnd.randint(1, 2))), {}))
    assert len(out) == sum(KINDS.values())
    return out


# ---------------------------------------------------------------------------------------------------
# The SQLite FTS5 baseline: kb's seven text fields, and a facets table for counts like kb's.

FTS5_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, year UNINDEXED, title_fr, title_en, body_fr, body_en, names,
                                     tags_fr, tags_en, tokenize='unicode61 remove_diacritics 2');
CREATE TABLE facets(doc INTEGER, facet TEXT, value TEXT, PRIMARY KEY (doc, facet, value)) WITHOUT ROWID;
CREATE INDEX facets_by_value ON facets(facet, value, doc);
CREATE TABLE years(doc INTEGER PRIMARY KEY, year INTEGER);
"""
FTS5_WEIGHTS = "0, 0, 3, 3, 1, 1, 2, 0.5, 0.5"  # kb's field boosts: titles 3, names 2, tags 0.5
_QUERY_PARTS = re.compile(r'"([^"]+)"|(\S+)')


def fts5_match(query: str) -> str:
    """The FTS5 expression of a query: every word required (AND), a quoted phrase as an FTS5 phrase,
    words as they are (FTS5 has no spelling correction, stemming or thesaurus)."""
    terms = []
    for phrase, word in _QUERY_PARTS.findall(query):
        tokens = _TOKEN.findall(phrase or word)
        if tokens:
            terms.append('"' + " ".join(tokens) + '"')
    return " AND ".join(terms)


def fts5_search(con, query: str, filters: dict, facets: bool = True, limit: int = 10) -> int:
    """One search page as kb's: the best ``limit`` with snippets (newest first without words), the total,
    and with ``facets`` the counts of every facet value over the matches (one GROUP BY). Returns the total.

    The plans are the fast ones: with words, the full-text match drives and the filters only check its
    rows (``+rowid``: else SQLite runs the match once per filtered row); without words, the filters'
    rows are found in the facets table and only the page's ten rows are read from the text table."""
    match = fts5_match(query)
    subsets, filter_args = [], []
    for facet, values in filters.items():
        subsets.append(f"SELECT doc FROM facets WHERE facet = ? AND value IN ({','.join('?' * len(values))})")
        filter_args += [facet, *values]
    if match:
        where = "docs MATCH ?" + "".join(f" AND +docs.rowid IN ({sub})" for sub in subsets)
        args = [match, *filter_args]
        matched = f"SELECT rowid FROM docs WHERE {where}"
        con.execute(f"SELECT id, title_fr, snippet(docs, -1, '<mark>', '</mark>', '…', 20) FROM docs WHERE {where} "
                    f"ORDER BY bm25(docs, {FTS5_WEIGHTS}) LIMIT {limit}", args).fetchall()
    else:
        matched = " INTERSECT ".join(subsets) or "SELECT doc FROM years"
        args = filter_args
        con.execute(f"SELECT id, title_fr, substr(body_fr, 1, 200) FROM docs WHERE rowid IN (SELECT doc FROM years "
                    f"WHERE doc IN ({matched}) ORDER BY year DESC, doc LIMIT {limit})", args).fetchall()
    if facets:
        counts = con.execute(f"SELECT facet, value, count(*) FROM facets WHERE doc IN ({matched}) GROUP BY facet, value",
                             args).fetchall()
        return sum(n for facet, _, n in counts if facet == "kind")
    return con.execute(f"SELECT count(*) FROM ({matched})", args).fetchone()[0]
