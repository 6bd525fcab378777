//! The behavioural parameters shared by all regions, declared once: each
//! row gives a parameter's default and the range validation accepts, and
//! `parameters!` generates the struct, its defaults, the table of ranges
//! and lookup by name from these rows. The defaults come from the
//! agent-based literature cited beside each parameter, and scenarios may
//! override any of them.

use serde::{Deserialize, Serialize};

parameters! {
    /// Behavioural parameters shared by all regions. Defaults come from the
    /// agent-based literature named beside each; scenarios may override any.
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    pub struct Behaviour;

    /// Name, lower bound and upper bound of every behavioural parameter:
    /// each is a rate, a share or a positive scale.
    pub(crate) const BEHAVIOUR_FIELDS: &[(&str, f64, f64)];

    /// Share of disposable income consumed each quarter (K+S households).
    consumption_income: f64 = 0.9, [0.0, 1.0];
    /// Share of savings consumed each quarter.
    consumption_wealth: f64 = 0.03, [0.0, 1.0];
    /// Share of last quarter's change in the cost of living passed into
    /// wages: 1 when wage setters bargain over real pay, 0 when nominal pay
    /// is sticky (Blanchard and Katz 1999, "Wage dynamics: reconciling
    /// theory and evidence", AER P&P). A setting, not a measured value:
    /// without indexation deflation in the PC and LLM scenarios raised real
    /// wages and left a third of US workers unemployed; at full indexation
    /// the assembly line's boom became a wage-price spiral; half-way is
    /// where neither happened in an 8-seed look at all four scenarios.
    wage_indexation: f64 = 0.5, [0.0, 1.0];
    /// Wage response to excess labour demand of a skill class, per quarter.
    wage_adjustment: f64 = 0.04, [0.0, 1.0];
    /// Probability per quarter that a firm reviews its technology choices.
    review_rate: f64 = 0.04, [0.0, 1.0];
    /// Cost saving a firm needs before it switches technology (sunk capital, habit).
    switch_threshold: f64 = 0.05, [0.0, 1.0];
    /// Weight of imitation in a firm's review of methods it does not run
    /// (Mansfield 1961, "Technical change and the rate of imitation",
    /// Econometrica 29): in a review, a method the firm has not yet taken
    /// up is weighed with probability `1 - a + a * s`, `a` being this
    /// parameter and `s` the share of the region's firms already running it.
    /// At 0 every review weighs every known method and adoption spreads as
    /// fast as firms review; near 1 firms take up a method mostly after
    /// seeing it at work nearby, and its diffusion traces Mansfield's and
    /// Griliches' (1957, hybrid corn) logistic curve. Entrants are not
    /// held back: they set up to use the best known method.
    adoption_imitation: f64 = 0.0, [0.0, 1.0];
    /// How much a firm learns from a unit made by another firm of its
    /// region (or known there through diffusion) against a unit it makes
    /// itself: a third (Irwin and Klenow 1994, "Learning-by-doing
    /// spillovers in the semiconductor industry", JPE 102: firms learn
    /// about three times as much from their own cumulative output as from
    /// another firm's). At 1 learning is the region's alone and every firm
    /// gains as much from the installed base.
    learning_spillover: f64 = 0.333333, [0.0, 1.0];
    /// Spread (log standard deviation) of firms' own efficiency with a new technology.
    firm_heterogeneity: f64 = 0.2, [0.0, 2.0];
    /// Price sensitivity of buyers choosing between suppliers (logit exponent on log price).
    price_sensitivity: f64 = 2.0, [0.0, 50.0];
    /// Elasticity of a supplier's weight in buyers' choice to the sales it
    /// is set up for (its network of agents and customers). At 1 buyers'
    /// choice is the replicator dynamics of Dosi et al. (2010): shares grow
    /// in proportion to present shares and relative price, so a good sold
    /// at one price by many shops is one good, not a variety per shop. Below
    /// 1 every supplier keeps a niche whatever its price.
    presence_elasticity: f64 = 0.5, [0.0, 1.0];
    /// Annual user cost of machine capital (depreciation plus interest).
    capital_user_cost: f64 = 0.15, [0.0, 2.0];
    /// Years over which a firm expects to recover a fixed set-up cost.
    payback_years: f64 = 8.0, [0.0, 100.0];
    /// Years within which a new machine must repay its price out of the
    /// operating cost it saves for the firm to scrap a working machine for
    /// it: the payback rule of Dosi, Fagiolo and Roventini (2010), whose
    /// benchmark is three quarters. Old vintages run on beside new ones
    /// until a new machine saves that much.
    replacement_payback_years: f64 = 0.75, [0.0, 100.0];
    /// Share of the gap between what buyers asked for and expected sales that
    /// firms close each quarter (adaptive expectations, Dosi et al. 2010).
    expectation_speed: f64 = 0.3, [0.0, 1.0];
    /// Machine builders' markup on the unit cost of the machines they build:
    /// the benchmark markup of the capital-good firms of Dosi, Fagiolo and
    /// Roventini (2010), 4%.
    builder_markup: f64 = 0.04, [0.0, 10.0];
    /// A builder's design cost for a technology, as a share of what the
    /// first fleet of its machines (one for every industry worker of its
    /// region) costs to build: paid when its first order comes, and spread
    /// over the sales it expects within `payback_years`. A setting of the
    /// mechanism, not a measured value.
    design_cost: f64 = 0.1, [0.0, 10.0];
    /// Quarterly probability that an industry worker quits for reasons of
    /// their own (turnover), before any wage policy.
    base_quit_rate: f64 = 0.0, [0.0, 1.0];
    /// Cost of hiring and training one worker, in quarters of their wage.
    hiring_cost: f64 = 0.0, [0.0, 8.0];
    /// Share of revenue firms spend on research.
    research_share: f64 = 0.02, [0.0, 1.0];
    /// Innovation success: probability 1 - exp(-zeta * effort) (Dosi et al. 2010).
    innovation_zeta: f64 = 0.15, [0.0, 100.0];
    /// How much harder developing a feasible general technology is than
    /// one improvement of a known method: the chance of success at a given
    /// effort is the improvement's divided by this, and so is the expected
    /// reward that draws inventors to it. No source measures it; set by
    /// hand on 2026-12-07 with the four scenarios' general technologies
    /// invented (`ludd compare invention` and the same for the others,
    /// 10 seeds; docs/VALIDATION.md, "Invention"): at 8 a prerequisite
    /// twenty years earlier brings stage 2 forward by at most 5.8 years in
    /// any scenario, and the loom's seven targets keep their matches; at
    /// 16 British stage 2 comes in 1802 with runs as late as 1818, and the
    /// language models' as late as 2028.
    invention_difficulty: f64 = 8.0, [1.0, 1000.0];
    /// Beta distribution of invention gains (Dosi et al. 2010).
    gain_beta_a: f64 = 2.0, [0.05, 100.0];
    gain_beta_b: f64 = 4.0, [0.05, 100.0];
    /// How sharply inventors prefer the project with the higher expected reward (logit).
    inventor_choice_sharpness: f64 = 3.0, [0.0, 50.0];
    /// Share of an invention's value an inventor expects to keep (patents, secrecy).
    appropriability: f64 = 0.5, [0.0, 1.0];
    /// Probability per quarter that an inventor considers moving region.
    inventor_mobility: f64 = 0.002, [0.0, 1.0];
    /// Mechanics' emigration: the yearly hazard, per unit of a route's
    /// knowledge flow, that one who works a technology leaves along it at a
    /// log pay gap of 1 (see the diffusion phase). No source measures it.
    /// Set by hand on 2026-12-08, moved to keep a target:
    /// `ludd validate all --seeds 20 --set behaviour.mechanic_emigration=V`
    /// gives P2 (calculators' share in 2007, band 0 to 0.01) 0.008 at 0,
    /// 0.009 at 0.5, 0.016 at 1 and 0.030 at 3, as an earlier arrival of
    /// the special tools in East Asia keeps them there longer; every other
    /// solid target stays solid at 0.5. At 0.5 the loom's follower regions
    /// reach stage 2 4.8 (the USA) and 3.8 (the continent) years later
    /// with the British ban on emigration enforced than with it not
    /// enforced (the `emigration` experiment, 40 seeds).
    mechanic_emigration: f64 = 0.5, [0.0, 100.0];
    /// Probability per quarter that an inventor imitates the best practice of a neighbour instead of inventing.
    imitation_rate: f64 = 0.1, [0.0, 1.0];
    /// Share of dividends and wealth owners consume per quarter.
    owners_consumption: f64 = 0.05, [0.0, 1.0];
    /// Owner households per worker: the share of a region's people who hold
    /// the firms' shares and receive their dividends (the `owners` group of
    /// the outputs), whichever firms are alive. An approximate, stylized
    /// figure: the richest 5% or so of English households held most of the
    /// wealth other than land from the late seventeenth century on (Lindert
    /// 1986, "Unequal English wealth since 1670", Journal of Political
    /// Economy 94, 1127-1162).
    owner_share: f64 = 0.05, [0.001, 0.5];
    /// Gini coefficient of household incomes, from which households'
    /// purchases of their own machines are judged: incomes are taken as
    /// log-logistic (Fisk 1961, "The graduation of income distributions",
    /// Econometrica 29), whose shape is one over the Gini. 0.40: American
    /// household income in 1980 (Census Bureau, Current Population Survey,
    /// historical income table H-4: 0.403).
    income_gini: f64 = 0.40, [0.05, 0.95];
    /// Share of cash above a buffer firms pay out per quarter.
    payout: f64 = 0.25, [0.0, 1.0];
    /// Capital's output elasticity in the rest of the economy (Cobb-Douglas):
    /// the capital share in British growth accounting is 0.35 (Crafts 1985,
    /// British Economic Growth during the Industrial Revolution, table 4.2,
    /// land folded into capital here); 0.33-0.35 for the USA (Solow 1957).
    capital_elasticity: f64 = 0.35, [0.05, 0.9];
    /// How fast the rest of the economy automates the tasks a general
    /// technology can do as its machines grow cheap against labour:
    /// labour's cost advantage over the machine across those tasks is
    /// Pareto-distributed with this index, from break-even in the best
    /// suited task when the technology arrives, so a share
    /// `1 - x^-elasticity` of them pays once what a machine saves per unit
    /// of its price (the wage times its productivity, over its delivered
    /// price) has grown `x` times (Zeira 1998 and Acemoglu and Restrepo
    /// 2018 make automation a cost threshold over tasks; the
    /// distribution's index is a setting of the mechanism, not a measured
    /// value).
    automation_elasticity: f64 = 1.0, [0.1, 10.0];
    /// Years over which new tasks for labour restore, at rate one over this
    /// many years, the tasks automation took (the reinstatement effect,
    /// Acemoglu and Restrepo 2019); a generation, as in Allen's (2009)
    /// forty-year pause.
    reinstatement_years: f64 = 30.0, [1.0, 500.0];
    /// Annual depreciation of the rest of the economy's capital: structures
    /// about 2% and equipment about 7% a year (Feinstein 1988, Studies in
    /// Capital Formation in the United Kingdom), about 5% for the mix.
    depreciation: f64 = 0.05, [0.0, 1.0];
    /// Quarterly share of the gap between wanted and actual capital that the
    /// rest of the economy's investment closes (partial adjustment, as in
    /// Jorgenson 1963); a setting: the gap closes with a half-life of about
    /// three and a half years.
    investment_speed: f64 = 0.05, [0.0, 1.0];
    /// Quarterly share of the (log) gap between a market price and the price
    /// that clears its market that the price closes, for the rest of the
    /// economy and for hand shops' cloth; a setting, not a measured value.
    price_adjustment: f64 = 0.25, [0.0, 1.0];
    /// Share of households' spending on other goods bought from trade neighbours.
    rest_openness: f64 = 0.1, [0.0, 1.0];
    /// Quarterly share of the gap between rest-of-economy jobs and demand closed by hiring or firing.
    rest_adjustment: f64 = 0.2, [0.0, 1.0];
    /// Wage premium a craft worker forgoes to stay in the trade (attachment
    /// to the craft): a hand worker leaves only when the unskilled wage is
    /// more than (1 + this) times the trade's earnings. Handloom weavers in
    /// the 1830s stayed at their looms on about half of a Lancashire
    /// labourer's weekly wage (5 to 7 shillings against 10 to 12: Bythell
    /// 1969, The Handloom Weavers, ch. 6; Lyons 1989, "Family response to
    /// economic decline", Explorations in Economic History 26), so 1.0.
    craft_attachment: f64 = 1.0, [0.0, 5.0];
    /// Years a worker spends in the labour force: from about 15 to about 55
    /// in England's 18th and 19th centuries, when life expectancy at 15 was
    /// about 40 more years (Wrigley and Schofield 1981, The Population
    /// History of England, table 7.15).
    working_life: f64 = 40.0, [1.0, 100.0];
    /// Share of lifetime earnings an entrant gives up to learn a trade: a
    /// seven-year apprenticeship at low pay (Statute of Artificers 1563;
    /// Humphries 2010, Childhood and Child Labour in the British Industrial
    /// Revolution, ch. 9), about a tenth of a forty-year working life.
    training_cost: f64 = 0.1, [0.0, 1.0];
    /// Sharpness of entrants' choice of occupation (logit in log earnings,
    /// alternatives weighted by their size): for a small trade it is the
    /// elasticity of its share of entrants to its relative earnings, so at
    /// 4 a trade paying 20% more than the open market draws about twice
    /// its share. The default has no source and lies above the 2 to 3 that
    /// Freeman finds for the supply of entrants to specific professions
    /// ("Elasticities of demand for educated labor and elasticities of
    /// supply of educated labor", NBER Working Paper 1042); the loom
    /// scenario sets a value in that range (its comment says how).
    occupation_sharpness: f64 = 4.0, [0.0, 50.0];
    /// Years over which the young judge a hand trade by what it has paid
    /// (relative to the labourer's wage), an exponential memory; 0 judges
    /// it by this quarter's earnings alone. A trade's reputation outlives
    /// its earnings: handloom weaving went on drawing entrants for a
    /// generation after its rates had begun to fall (Bythell 1969, The
    /// Handloom Weavers, ch. 3).
    trade_memory_years: f64 = 0.0, [0.0, 50.0];
    /// Years the economy runs with its starting technologies before the
    /// clock starts, to reach their steady state (see `phases::settle`).
    settle_years: f64 = 25.0, [0.0, 200.0];
    /// Quarterly probability that an employed worker looks for a better job.
    on_the_job_search: f64 = 0.05, [0.0, 1.0];
    /// Quarterly gain in general education of a worker out of the industry at retraining 1 and education spending 1%.
    learning_speed: f64 = 0.02, [0.0, 1.0];
    /// Grievance: quarterly persistence, weight of income losses, weight of gains
    /// (losses weigh more: Kahneman-Tversky), weight of unemployment and of the
    /// local rate of adoption (Mellor et al. 2015).
    grievance_persistence: f64 = 0.9, [0.0, 1.0];
    loss_weight: f64 = 1.5, [0.0, 50.0];
    gain_weight: f64 = 0.5, [0.0, 50.0];
    unemployment_weight: f64 = 0.1, [0.0, 10.0];
    adoption_rate_weight: f64 = 2.0, [0.0, 100.0];
    /// Contagion from protest in the own region and in trade neighbours (Aidt and Leon-Ablan 2021).
    contagion_local: f64 = 1.5, [0.0, 10.0];
    contagion_neighbours: f64 = 0.5, [0.0, 10.0];
    /// Mean and spread of individual protest thresholds (Granovetter 1978).
    threshold_mean: f64 = 1.5, [0.0, 10.0];
    threshold_spread: f64 = 0.4, [0.0, 10.0];
    /// Share of adopting firms' machine capital destroyed per unit of protest intensity.
    destruction_rate: f64 = 0.5, [0.0, 1.0];
    /// Rise of firms' perceived risk per unit of protest intensity, and its quarterly persistence
    /// (Caprettini and Voth 2020: adoption slowed for years after riots).
    risk_sensitivity: f64 = 0.5, [0.0, 100.0];
    risk_persistence: f64 = 0.97, [0.0, 1.0];
    /// Grievance a worker gains each time repression deters them from protest.
    repression_backlash: f64 = 0.2, [0.0, 10.0];
    /// Quarterly probability that a fully general firm at scale reorganizes.
    reorganization_rate: f64 = 0.02, [0.0, 1.0];
    /// Productivity bonus of a reorganized firm on general tasks (complementarities), and the years of dip before it (J-curve).
    reorganization_bonus: f64 = 0.3, [0.0, 5.0];
    reorganization_dip_years: f64 = 3.0, [0.0, 50.0];
    /// Quarters of losses before a firm exits; quarterly probability an empty firm slot re-enters when the industry is profitable.
    exit_patience: f64 = 8.0, [0.0, 400.0];
    entry_rate: f64 = 0.02, [0.0, 1.0];
}
