//! Stock-flow consistent bookkeeping. Every payment is entered twice, once
//! for the payer and once for the payee, often from separate computations
//! (a firm's wage bill from its head counts, the households' wages from each
//! worker). At the end of each step the accounting phase checks that every
//! kind of flow nets to zero across sectors and that each sector's money
//! stock moved by exactly its recorded flows.

named_enum!(
    /// The sectors that hold money.
    Sector, SECTORS, SECTOR_NAMES {
        Households => "households",
        Inventors => "inventors",
        Owners => "owners",
        Firms => "firms",
        Rest => "rest_of_economy",
        Builders => "machine_builders",
        Merchants => "merchants",
        Government => "government",
    }
);

named_enum!(
    /// The kinds of payment, each entered for its payer and its payee.
    Flow, FLOWS, FLOW_NAMES {
        Wages => "wages",
        Severance => "severance",
        Relief => "relief",
        Taxes => "taxes",
        Consumption => "consumption",
        Sales => "sales",
        Transport => "transport",
        Tariffs => "tariffs",
        Investment => "investment",
        Machines => "machine_sales",
        MachineInputs => "machine_inputs",
        Research => "research",
        Dividends => "dividends",
        Equity => "equity",
        PublicSpending => "public_spending",
        Hiring => "hiring",
        Materials => "materials",
        Issue => "money_issue",
    }
);

#[derive(Clone, Default, Debug)]
pub struct Ledger {
    /// `flows[flow][sector]`: money received (positive) or paid (negative) this step.
    pub flows: [[f64; SECTORS]; FLOWS],
    /// Gross amount of each flow, the scale for its balance check.
    pub gross: [f64; FLOWS],
    pub opening: [f64; SECTORS],
    /// Largest relative imbalance the accounting phase has seen.
    pub worst_imbalance: f64,
}

impl Ledger {
    pub fn open(&mut self, stocks: &[f64; SECTORS]) {
        self.opening = *stocks;
        self.flows = [[0.0; SECTORS]; FLOWS];
        self.gross = [0.0; FLOWS];
    }

    /// The payer's side of a payment.
    pub fn paid(&mut self, flow: Flow, payer: Sector, amount: f64) {
        self.flows[flow as usize][payer as usize] -= amount;
        self.gross[flow as usize] += amount.abs();
    }

    /// The payee's side of a payment.
    pub fn received(&mut self, flow: Flow, payee: Sector, amount: f64) {
        self.flows[flow as usize][payee as usize] += amount;
    }

    /// Both sides of a payment computed once.
    pub fn pay(&mut self, flow: Flow, payer: Sector, payee: Sector, amount: f64) {
        self.paid(flow, payer, amount);
        self.received(flow, payee, amount);
    }

    /// Checks the books against the closing stocks and opens the next step.
    /// Returns a description of the first imbalance above `tolerance`
    /// (relative to the money in the system).
    pub fn close(&mut self, closing: &[f64; SECTORS], tolerance: f64) -> Result<f64, String> {
        let scale = self.opening.iter().map(|x| x.abs()).sum::<f64>().max(1.0);
        let mut worst: f64 = 0.0;
        for (f, row) in self.flows.iter().enumerate() {
            let net: f64 = row.iter().sum();
            let err = net.abs() / scale.max(self.gross[f]);
            worst = worst.max(err);
            if err > tolerance {
                return Err(format!(
                    "the {} paid and received differ by {net:.3e} (relative {err:.1e})",
                    FLOW_NAMES[f]
                ));
            }
        }
        for s in 0..SECTORS {
            let recorded: f64 = self.flows.iter().map(|row| row[s]).sum();
            let moved = closing[s] - self.opening[s];
            let err = (moved - recorded).abs() / scale;
            worst = worst.max(err);
            if err > tolerance {
                return Err(format!(
                    "the money of {} moved by {moved:.6e} but its recorded flows sum to {recorded:.6e} (relative error {err:.1e})",
                    SECTOR_NAMES[s]
                ));
            }
        }
        self.open(closing);
        Ok(worst)
    }
}
